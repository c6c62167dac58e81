// The example workspace's service images against a real Docker Engine (issue 2: CI with a real
// Docker Engine). For every service under examples/shop/services it:
//   1. builds the image from the service folder (context packed here, honouring .dockerignore),
//   2. runs the package.json `convoy.test` command inside it with no network and expects PASS lines
//      and exit code 0,
//   3. starts the service with its port published on 127.0.0.1 only, waits for the health path and
//      checks an API endpoint.
// A negative case proves the in-image smoke test can fail. Everything created is labelled with a
// per-run id and force-removed in afterAll.
//
// Without a reachable Docker Engine the suite is skipped on a developer machine, but FAILS when the
// CI environment variable is set, so CI cannot go green by silently skipping it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerOptions } from '../../../electron/adapters/docker/docker-engine.js';
import { endpoint, requireDocker, skipDocker } from '../../support/docker-engine.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVICES_DIR = path.join(REPO_ROOT, 'examples', 'shop', 'services');
const SEED_HINT = 'run bash scripts/seed-base-image.sh';

const RUN_ID = randomBytes(4).toString('hex');
const RUN_LABEL = 'dev.convoy.test-run';
const LABELS = { [RUN_LABEL]: RUN_ID };

const BUILD_TIMEOUT_MS = 40_000;
const RUN_DEADLINE_MS = 20_000;
const HEALTH_DEADLINE_MS = 10_000;
const HEALTH_POLL_INTERVAL_MS = 50;
const HTTP_TIMEOUT_MS = 2_000;

// ---------------------------------------------------------------------------------------------
// The services and what to check on each, read from the example workspace.

interface ConvoyBlock {
  image: string;
  test: string[];
  port: number;
  health: string;
}

interface Service {
  name: string;
  dir: string;
  convoy: ConvoyBlock;
  baseImages: string[];
}

type ApiCheck = { path: string; check: (res: HttpResult) => void };

interface HttpResult {
  status: number;
  contentType: string;
  body: string;
}

function jsonList(key: string, count: number): (res: HttpResult) => void {
  return (res) => {
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    const list = doc[key];
    expect(Array.isArray(list), `"${key}" is an array in ${res.body.slice(0, 200)}`).toBe(true);
    expect((list as unknown[]).length).toBe(count);
    expect(doc.count).toBe(count);
    expect(doc.currency).toBe('EUR');
  };
}

const API_CHECKS: Record<string, ApiCheck> = {
  'catalog-api': { path: '/cgi-bin/products', check: jsonList('products', 6) },
  'orders-api': { path: '/cgi-bin/orders', check: jsonList('orders', 4) },
  storefront: {
    path: '/',
    check: (res) => {
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/html/);
      expect(res.body).toMatch(/<html/i);
      expect(res.body).toContain('<title>Shop</title>');
    },
  },
};

function isConvoyBlock(value: unknown): value is ConvoyBlock {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.image === 'string' &&
    Array.isArray(v.test) &&
    v.test.length > 0 &&
    v.test.every((part) => typeof part === 'string') &&
    typeof v.port === 'number' &&
    Number.isInteger(v.port) &&
    typeof v.health === 'string' &&
    v.health.startsWith('/')
  );
}

function loadServices(): Service[] {
  const names = readdirSync(SERVICES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return names.map((name) => {
    const dir = path.join(SERVICES_DIR, name);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { convoy?: unknown };
    if (!isConvoyBlock(pkg.convoy)) {
      throw new Error(`${name}/package.json: "convoy" must be { image, test: string[], port, health: "/..." }`);
    }
    const dockerfile = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    const baseImages = [...dockerfile.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1] ?? '');
    return { name, dir, convoy: pkg.convoy, baseImages };
  });
}

const SERVICES = loadServices();

// ---------------------------------------------------------------------------------------------
// Build context: walk the folder, apply .dockerignore like the Docker CLI, pack a ustar archive.
// (dockerode's own { context, src } packing drops the Dockerfile when .dockerignore starts with
// `*`, and tar-fs is not a dependency of this project.)

interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
}

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        out += '\\[';
      } else {
        let cls = pattern.slice(i + 1, end);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (ch === '\\' && i + 1 < pattern.length) {
      i++;
      out += (pattern[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    let pattern = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') continue;
    if (pattern.startsWith('./')) pattern = pattern.slice(2);
    rules.push({ negate, regex: globToRegExp(pattern) });
  }
  return rules;
}

/** Docker's rule: the last pattern that matches the path or one of its parent folders decides. */
function isIgnored(relPath: string, rules: IgnoreRule[]): boolean {
  const parts = relPath.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) ignored = !rule.negate;
  }
  return ignored;
}

/** Files sent regardless of .dockerignore (the daemon needs them; COPY still cannot see them). */
const ALWAYS_SENT = new Set(['Dockerfile', '.dockerignore']);

interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtime: number;
  data: Buffer;
  linkname: string;
}

async function collectContext(root: string): Promise<TarEntry[]> {
  let rules: IgnoreRule[] = [];
  try {
    rules = parseDockerignore(await readFile(path.join(root, '.dockerignore'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const entries: TarEntry[] = [];
  async function walk(relDir: string): Promise<void> {
    const names = (await readdir(path.join(root, relDir))).sort();
    for (const name of names) {
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(root, rel);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      const mtime = Math.floor(st.mtimeMs / 1000);
      const included = !isIgnored(rel, rules) || (relDir === '' && ALWAYS_SENT.has(name));
      if (st.isDirectory()) {
        // Walk even ignored folders: a later `!pattern` may re-include something inside.
        if (included) entries.push({ name: `${rel}/`, type: 'dir', mode, mtime, data: Buffer.alloc(0), linkname: '' });
        await walk(rel);
      } else if (!included) {
        continue;
      } else if (st.isSymbolicLink()) {
        entries.push({ name: rel, type: 'symlink', mode, mtime, data: Buffer.alloc(0), linkname: await readlink(abs) });
      } else if (st.isFile()) {
        entries.push({ name: rel, type: 'file', mode, mtime, data: await readFile(abs), linkname: '' });
      }
    }
  }
  await walk('');
  return entries;
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`tar: ${value} does not fit in ${length - 1} octal digits`);
  buf.write(digits.padStart(length - 1, '0'), offset, length - 1, 'ascii');
  buf[offset + length - 1] = 0;
}

function splitTarName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '') return { prefix, base };
  }
  throw new Error(`tar: path too long for ustar: ${name}`);
}

function tarHeader(entry: TarEntry): Buffer {
  const header = Buffer.alloc(512);
  const { prefix, base } = splitTarName(entry.name);
  header.write(base, 0, 100, 'utf8');
  writeOctal(header, 100, 8, entry.mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, entry.type === 'file' ? entry.data.length : 0);
  writeOctal(header, 136, 12, entry.mtime);
  header.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  header.write(entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  header.write(entry.linkname, 157, 100, 'utf8');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

function packTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    blocks.push(tarHeader(entry));
    if (entry.type === 'file' && entry.data.length > 0) {
      blocks.push(entry.data);
      const pad = (512 - (entry.data.length % 512)) % 512;
      if (pad > 0) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------------------------------------
// Docker helpers.

function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => Promise<unknown>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const fail = () => reject(new Error(`${what}: no result within ${ms} ms`));
      if (onTimeout) onTimeout().then(fail, fail);
      else fail();
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

async function readBuildStream(stream: NodeJS.ReadableStream): Promise<BuildEvent[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const events: BuildEvent[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as BuildEvent);
    } catch {
      events.push({ error: `unparseable build output: ${line}` });
    }
  }
  return events;
}

/** Splits Docker's multiplexed log stream (8-byte frame headers) into plain text. */
function demux(raw: Buffer): string {
  const looksMultiplexed = raw.length >= 8 && (raw[0] === 0 || raw[0] === 1 || raw[0] === 2) && raw.readUIntBE(1, 3) === 0;
  if (!looksMultiplexed) return raw.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

async function httpGet(url: string): Promise<HttpResult> {
  const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(skipDocker)(`example service images on a real Docker Engine (${endpoint})`, () => {
  let docker!: Docker;
  let connected = false;
  const images = new Set<string>();
  const containers = new Set<string>();
  /** Layers a failed classic build leaves behind untagged (a successful build's go with its tag). */
  const leftovers: string[] = [];
  const built = new Map<string, string>();

  function imageOf(service: Service): string {
    const tag = built.get(service.name);
    if (!tag) throw new Error(`no image for ${service.name}: its build test failed or did not run`);
    return tag;
  }

  async function buildServiceImage(service: Service): Promise<string> {
    const tag = `convoy-test/${service.name}:${RUN_ID}`;
    const context = packTar(await collectContext(service.dir));
    images.add(tag);
    const stream = await docker.buildImage(Readable.from([context]), {
      t: tag,
      rm: true,
      forcerm: true,
      networkmode: 'none',
      labels: LABELS,
    });
    const events = await readBuildStream(stream);
    const log = events.map((e) => e.stream ?? e.status ?? '').join('');
    const failure = events.find((e) => e.error !== undefined || e.errorDetail !== undefined);
    if (failure) {
      leftovers.push(...[...log.matchAll(/---> ([0-9a-f]{12,64})\b/g)].map((m) => m[1] ?? ''));
      throw new Error(`docker build ${tag} failed: ${failure.errorDetail?.message ?? failure.error}\n${log}`);
    }
    await docker.getImage(tag).inspect(); // the stream ended cleanly; the tag must now exist
    return tag;
  }

  async function runToExit(
    image: string,
    cmd: string[],
    user?: string,
  ): Promise<{ exitCode: number; output: string }> {
    const container = await docker.createContainer({
      Image: image,
      Cmd: cmd,
      ...(user === undefined ? {} : { User: user }),
      Tty: false,
      Labels: LABELS,
      HostConfig: { NetworkMode: 'none' },
    });
    containers.add(container.id);
    await container.start();
    const result = (await withDeadline(container.wait(), RUN_DEADLINE_MS, `${cmd.join(' ')} in ${image}`, () =>
      container.kill().catch(() => undefined),
    )) as { StatusCode: number };
    const output = demux(await container.logs({ stdout: true, stderr: true, follow: false }));
    await container.remove({ force: true });
    containers.delete(container.id);
    return { exitCode: result.StatusCode, output };
  }

  async function waitForHealth(url: string): Promise<HttpResult> {
    const deadline = Date.now() + HEALTH_DEADLINE_MS;
    let attempts = 0;
    let last = 'no attempt';
    while (Date.now() < deadline) {
      attempts++;
      try {
        const res = await httpGet(url);
        if (res.status === 200) return res;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
      }
      await delay(HEALTH_POLL_INTERVAL_MS); // poll interval, bounded by the deadline
    }
    throw new Error(`${url} did not answer 200 within ${HEALTH_DEADLINE_MS} ms (${attempts} attempts; last: ${last})`);
  }

  beforeAll(async () => {
    requireDocker();
    docker = new Docker(dockerOptions(endpoint));
    connected = true;
    const bases = [...new Set(SERVICES.flatMap((s) => s.baseImages))];
    for (const base of bases) {
      try {
        await docker.getImage(base).inspect();
      } catch (err) {
        if (statusCode(err) === 404) throw new Error(`base image ${base} is missing: ${SEED_HINT}`);
        throw err;
      }
    }
  });

  afterAll(async () => {
    if (!connected) return;
    // Everything this run labelled, plus what was tracked by id (belt and braces).
    const labelled = await docker
      .listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${RUN_ID}`] } })
      .catch(() => []);
    const ids = new Set([...containers, ...labelled.map((c) => c.Id)]);
    const problems: string[] = [];
    const ignorable = (err: unknown) => statusCode(err) === 404 || statusCode(err) === 409;
    await Promise.all(
      [...ids].map((id) =>
        docker
          .getContainer(id)
          .remove({ force: true, v: true })
          .catch((err: unknown) => {
            if (!ignorable(err)) problems.push(`container ${id}: ${String(err)}`);
          }),
      ),
    );
    for (const tag of images) {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch((err: unknown) => {
          if (!ignorable(err)) problems.push(`image ${tag}: ${String(err)}`);
        });
    }
    // Newest first; only untagged ones (the FROM step's id is the tagged base image) and without
    // force, so a layer another image still builds on stays (409) and pruning takes its parents.
    for (const id of leftovers.reverse()) {
      try {
        const info = await docker.getImage(id).inspect();
        if ((info.RepoTags ?? []).some((t) => t !== '<none>:<none>')) continue;
        await docker.getImage(id).remove();
      } catch (err) {
        if (!ignorable(err)) problems.push(`intermediate image ${id}: ${String(err)}`);
      }
    }
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  });

  it('finds the example services and knows how to check each one', () => {
    expect(SERVICES.map((s) => s.name)).toEqual(['catalog-api', 'orders-api', 'storefront']);
    for (const service of SERVICES) {
      expect(API_CHECKS[service.name], `an API check for ${service.name}`).toBeDefined();
      expect(service.baseImages, `${service.name}/Dockerfile FROM`).toEqual(['busybox:1.36.1']);
    }
  });

  it('packs build contexts the way .dockerignore says', async () => {
    const service = SERVICES[0];
    if (!service) throw new Error('no services');
    const names = (await collectContext(service.dir)).map((e) => e.name);
    expect(names).toContain('Dockerfile');
    expect(names).toContain('www/healthz');
    expect(names).toContain('test/run.sh');
    expect(names.filter((n) => n.startsWith('deploy') || n === 'package.json')).toEqual([]);
  });

  describe.each(SERVICES)('$name', (service) => {
    it(
      'builds its image',
      async () => {
        const tag = await buildServiceImage(service);
        built.set(service.name, tag);
        const info = await docker.getImage(tag).inspect();
        expect(info.Config.Labels?.[RUN_LABEL]).toBe(RUN_ID);
      },
      BUILD_TIMEOUT_MS,
    );

    it(
      `passes its convoy.test command inside the image with no network`,
      async () => {
        const { exitCode, output } = await runToExit(imageOf(service), service.convoy.test);
        expect(output, `${service.convoy.test.join(' ')} output`).toMatch(/^PASS /m);
        expect(output).not.toMatch(/^FAIL /m);
        expect(output).toContain(`${service.name}: all checks passed`);
        expect(exitCode, output).toBe(0);
      },
      RUN_DEADLINE_MS + 5_000,
    );

    it(
      'serves its health path and API on a port published on 127.0.0.1',
      async () => {
        const containerPort = `${service.convoy.port}/tcp`;
        const container = await docker.createContainer({
          Image: imageOf(service),
          Labels: LABELS,
          ExposedPorts: { [containerPort]: {} },
          HostConfig: { PortBindings: { [containerPort]: [{ HostIp: '127.0.0.1', HostPort: '0' }] } },
        });
        containers.add(container.id);
        await container.start();
        const info = await container.inspect();
        const binding = info.NetworkSettings.Ports[containerPort]?.[0];
        expect(binding?.HostIp).toBe('127.0.0.1');
        const hostPort = Number(binding?.HostPort);
        expect(hostPort).toBeGreaterThan(0);
        const base = `http://127.0.0.1:${hostPort}`;

        const health = await waitForHealth(`${base}${service.convoy.health}`);
        expect(health.body.trim()).toBe('ok');

        const api = API_CHECKS[service.name];
        if (!api) throw new Error(`no API check for ${service.name}`);
        api.check(await httpGet(`${base}${api.path}`));

        await container.remove({ force: true });
        containers.delete(container.id);
      },
      HEALTH_DEADLINE_MS + 10_000,
    );
  });

  it(
    'sees the in-image smoke test fail when an expectation is broken',
    async () => {
      const catalog = SERVICES.find((s) => s.name === 'catalog-api');
      if (!catalog) throw new Error('catalog-api not found');
      // The image runs as nobody and /test is root's; root may edit the expected gross price.
      const { exitCode, output } = await runToExit(
        imageOf(catalog),
        ['sh', '-c', 'sed -i s/1440/1441/ /test/run.sh && sh /test/run.sh'],
        '0',
      );
      expect(output).toMatch(/^FAIL sencha gross price has 20% VAT/m);
      expect(output).toMatch(/^PASS /m);
      expect(output).toContain('catalog-api: 1 check(s) failed');
      expect(exitCode, output).not.toBe(0);
    },
    RUN_DEADLINE_MS + 5_000,
  );
});
