import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

// CORS_ORIGINS: unset = any origin without credentials; listed = only those, with credentials. CSRF prevention stays on.

const preflight = (s: Stack, origin: string) =>
  s.app.yoga.fetch('http://localhost/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
  });
const post = (s: Stack, origin: string) =>
  s.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

let open: Stack;
let listed: Stack;
beforeAll(async () => {
  open = await startStack();
  listed = await startStack({ shared: open.sandbox, env: { CORS_ORIGINS: 'https://dash.example.com, https://bi.example.com/' } });
});
afterAll(async () => {
  await listed?.close();
  await open?.close();
});

describe('CORS_ORIGINS unset', () => {
  it('any origin gets Access-Control-Allow-Origin: * and never Allow-Credentials', async () => {
    for (const origin of ['https://evil.example', 'https://dash.example.com']) {
      const pre = await preflight(open, origin);
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
      const res = await post(open, origin);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('CORS_ORIGINS listed', () => {
  it('a listed origin is reflected, with credentials and Vary: Origin', async () => {
    for (const origin of ['https://dash.example.com', 'https://bi.example.com']) {
      const pre = await preflight(listed, origin);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
      expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
      expect(pre.headers.get('vary')).toContain('Origin');
      const res = await post(listed, origin);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('an unlisted origin gets no CORS headers at all (the browser keeps it out)', async () => {
    const pre = await preflight(listed, 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await post(listed, 'https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CSRF prevention', () => {
  it('a simple cross-site GET (no preflight) is still refused', async () => {
    const res = await listed.app.yoga.fetch('http://localhost/graphql?query=%7B__typename%7D', { headers: { origin: 'https://dash.example.com' } });
    expect(res.status).toBe(403);
  });
});
