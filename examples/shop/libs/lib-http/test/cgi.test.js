import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonResponse, errorResponse, parseQuery } from '../src/cgi.js';

test('jsonResponse emits CGI headers, a blank line and the JSON body', () => {
  const text = jsonResponse({ ok: true });
  const [head, body] = text.split('\r\n\r\n');
  assert.match(head, /^Status: 200 OK\r\n/);
  assert.match(head, /Content-Type: application\/json/);
  assert.deepEqual(JSON.parse(body), { ok: true });
});

test('errorResponse uses the status reason as error code', () => {
  const text = errorResponse(404, 'no such product');
  assert.match(text, /^Status: 404 Not Found/);
  assert.deepEqual(JSON.parse(text.split('\r\n\r\n')[1]), {
    error: { code: 'not_found', message: 'no such product' },
  });
});

test('rejects header injection', () => {
  assert.throws(() => jsonResponse({}, { headers: { 'X-Evil': 'a\r\nSet-Cookie: x' } }));
});

test('parseQuery decodes query strings', () => {
  assert.deepEqual(parseQuery('category=tea&q=green%20leaf'), { category: 'tea', q: 'green leaf' });
  assert.deepEqual(parseQuery(''), {});
});
