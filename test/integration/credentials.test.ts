import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Per-request JobsPikr keys (headers or HTTP Basic), multi-tenant mode, wrong keys, and CSRF.

const TENANT = { clientId: 'acme_jp_sandbox_0000000002', authKey: 'acme-sandbox-key-2' };
const SEARCH = '{ jobs(first: 2) { nodes { uniqId } } }';
const basic = (id: string, key: string) => `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;

let sandbox: Sandbox;
let own: Stack;
let multi: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ jobCount: 80, seed: 11 });
  sandbox.addKey(TENANT, 'sandbox');
  own = await startStack({ shared: sandbox });
  multi = await startStack({ shared: sandbox, key: 'none', env: { REQUIRE_CLIENT_CREDENTIALS: 'true' } });
});
beforeEach(() => sandbox.clearLog());
afterAll(async () => {
  await own?.close();
  await multi?.close();
  await sandbox?.close();
});

const clientIds = () => sandbox.log.map((e) => e.clientId);
const code = (r: GqlResult) => r.body.errors?.[0]?.extensions?.code;

describe('the caller’s own keys', () => {
  it('headers client_id / client_auth_key are used instead of the server’s keys', async () => {
    const r = await own.gql(SEARCH, undefined, { client_id: TENANT.clientId, client_auth_key: TENANT.authKey });
    expect(r.body.errors).toBeUndefined();
    expect(clientIds()).toEqual([TENANT.clientId]);
  });

  it('HTTP Basic client_id:client_auth_key works too', async () => {
    const r = await own.gql('{ jobs(first: 3) { nodes { uniqId } } }', undefined, { authorization: basic(TENANT.clientId, TENANT.authKey) });
    expect(r.body.errors).toBeUndefined();
    expect(clientIds()).toEqual([TENANT.clientId]);
  });

  it('without keys the server uses its own', async () => {
    const r = await own.gql('{ jobs(first: 4) { nodes { uniqId } } }');
    expect(r.body.errors).toBeUndefined();
    expect(clientIds()).toEqual([sandbox.keys.sandbox.clientId]);
  });

  it('a wrong key is UNAUTHENTICATED after one upstream call, and is never served what a good key cached', async () => {
    const good = await own.gql('{ jobs(first: 5) { nodes { uniqId } } }', undefined, { client_id: TENANT.clientId, client_auth_key: TENANT.authKey });
    expect(good.body.errors).toBeUndefined();
    sandbox.clearLog();
    const wrong = await own.gql('{ jobs(first: 5) { nodes { uniqId } } }', undefined, { client_id: TENANT.clientId, client_auth_key: 'guessed' });
    expect(code(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.body.data).toBeNull();
    expect(sandbox.log.map((e) => e.status)).toEqual([401]);
    const wrongBasic = await own.gql(SEARCH, undefined, { authorization: basic(TENANT.clientId, 'guessed-again') });
    expect(code(wrongBasic)).toBe('UNAUTHENTICATED');
    expect(sandbox.log.map((e) => e.status)).toEqual([401, 401]);
  });

  it('half a key pair, or junk in place of one, is UNAUTHENTICATED (401) with no upstream call', async () => {
    const cases: Record<string, string>[] = [
      { client_id: TENANT.clientId },
      { client_auth_key: TENANT.authKey },
      { client_id: 'x'.repeat(300), client_auth_key: 'k' },
      { client_id: 'has space', client_auth_key: 'k' },
      { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
      { authorization: basic('', 'key') },
      { authorization: basic('id', '') },
      { authorization: basic('id\u0000', 'key') },
      { authorization: 'Basic !!!not-base64!!!' },
    ];
    for (const headers of cases) {
      const r = await own.gql(SEARCH, undefined, headers);
      expect(r.status).toBe(401);
      expect(code(r)).toBe('UNAUTHENTICATED');
    }
    expect(sandbox.log).toHaveLength(0);
  });
});

describe('multi-tenant mode (REQUIRE_CLIENT_CREDENTIALS=true, no server keys)', () => {
  it('refuses a request without keys: UNAUTHENTICATED, 401, no upstream call', async () => {
    // A bearer token names a caller (README "Callers"); one that does not verify is refused as such.
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /client_id/],
      [{ authorization: 'Bearer abc' }, /caller token/],
    ];
    for (const [headers, message] of cases) {
      const r = await multi.gql(SEARCH, undefined, headers);
      expect(r.status).toBe(401);
      expect(code(r)).toBe('UNAUTHENTICATED');
      expect(r.body.errors?.[0]?.message).toMatch(message);
    }
    expect(sandbox.log).toHaveLength(0);
  });

  it('serves a request that brings keys, with those keys', async () => {
    const r = await multi.gql(SEARCH, undefined, { client_id: TENANT.clientId, client_auth_key: TENANT.authKey });
    expect(r.body.errors).toBeUndefined();
    expect(clientIds()).toEqual([TENANT.clientId]);
    const b = await multi.gql('{ jobs(first: 6) { nodes { uniqId } } }', undefined, {
      authorization: basic(sandbox.keys.sandbox.clientId, sandbox.keys.sandbox.authKey),
    });
    expect(b.body.errors).toBeUndefined();
    expect(clientIds()).toEqual([TENANT.clientId, sandbox.keys.sandbox.clientId]);
  });

  it('wrong keys are UNAUTHENTICATED', async () => {
    const r = await multi.gql(SEARCH, undefined, { client_id: 'nobody_jp_sandbox_0000000009', client_auth_key: 'nothing' });
    expect(code(r)).toBe('UNAUTHENTICATED');
    expect(sandbox.log.map((e) => e.status)).toEqual([401]);
  });
});

describe('CSRF prevention (yoga plugin)', () => {
  const query = encodeURIComponent('{ jobs(first: 1) { totalCount } }');

  it('refuses a simple GET and a form POST that lack the preflight header, before anything runs', async () => {
    const get = await own.app.yoga.fetch(`http://localhost/graphql?query=${query}`);
    expect(get.status).toBe(403);
    const form = await own.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${query}`,
    });
    expect(form.status).toBe(403);
    for (const res of [get, form]) {
      const body = (await res.json()) as GqlResult['body'];
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toMatch(/CSRF/);
    }
    expect(sandbox.log).toHaveLength(0);
  });

  it('lets through a GET that carries the preflight header (JSON POSTs, which browsers preflight, pass everywhere above)', async () => {
    const get = await own.app.yoga.fetch(`http://localhost/graphql?query=${query}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(get.status).toBe(200);
    const body = (await get.json()) as GqlResult['body'];
    expect(body.errors).toBeUndefined();
    expect(body.data?.jobs).toEqual({ totalCount: expect.any(Number) });
  });

  it('still serves GraphiQL to a browser', async () => {
    const page = await own.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });
});
