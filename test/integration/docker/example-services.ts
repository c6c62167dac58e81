// What example-images.test.ts checks on each service of examples/shop/services: its convoy block
// (image, test command, port, health path), its Dockerfile's base images, and one API request with
// the answer it must give. Plus the small HTTP helpers the checks use.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVICES_DIR = path.join(REPO_ROOT, 'examples', 'shop', 'services');

export const HEALTH_DEADLINE_MS = 10_000;
const HEALTH_POLL_INTERVAL_MS = 50;
const HTTP_TIMEOUT_MS = 2_000;

interface ConvoyBlock {
  image: string;
  test: string[];
  port: number;
  health: string;
}

export interface Service {
  name: string;
  dir: string;
  convoy: ConvoyBlock;
  baseImages: string[];
}

export interface HttpResult {
  status: number;
  contentType: string;
  body: string;
}

type ApiCheck = { path: string; check: (res: HttpResult) => void };

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

export const API_CHECKS: Record<string, ApiCheck> = {
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

export function loadServices(): Service[] {
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

export async function httpGet(url: string): Promise<HttpResult> {
  const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** Polls `url` until it answers 200, within HEALTH_DEADLINE_MS. */
export async function waitForHealth(url: string): Promise<HttpResult> {
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
