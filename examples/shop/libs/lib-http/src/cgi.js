// Minimal helpers for CGI programs (RFC 3875): a CGI response is a block of
// header lines, an empty line, then the body. The HTTP server turns the
// "Status" header into the real status line.

const REASONS = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Build the full CGI response text for a JSON body. */
export function jsonResponse(body, { status = 200, headers = {} } = {}) {
  const reason = REASONS[status] ?? 'Unknown';
  const lines = [
    `Status: ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    'Cache-Control: no-store',
  ];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n:]/.test(name) || /[\r\n]/.test(String(value))) {
      throw new Error(`invalid header ${JSON.stringify(name)}`);
    }
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${JSON.stringify(body)}\n`;
}

/** Error response with a uniform shape: { "error": { "code", "message" } }. */
export function errorResponse(status, message) {
  const code = (REASONS[status] ?? 'error').toLowerCase().replace(/\s+/g, '_');
  return jsonResponse({ error: { code, message } }, { status });
}

/** Write a JSON response to a stream (defaults to stdout). */
export function writeJson(body, options = {}, stream = process.stdout) {
  stream.write(jsonResponse(body, options));
}

/** Parse QUERY_STRING (or any a=b&c=d string) into a plain object. */
export function parseQuery(queryString = process.env.QUERY_STRING ?? '') {
  const out = {};
  for (const [key, value] of new URLSearchParams(queryString)) {
    out[key] = value;
  }
  return out;
}
