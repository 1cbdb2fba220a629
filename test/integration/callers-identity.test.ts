import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, startIssuer, unsignedToken, type Issuer } from '../helpers/jwks.js';
import { levelOf } from '../helpers/log-lines.js';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Caller identity: service tokens, JWTs against a JWKS served over HTTP, anonymous by address.

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const OPS_TOKEN = 'ops-token-0123456789abcdef';
const CALLER = '{ apiUsage { caller { id creditQuota creditsLeft creditsUsed resetsAt } } }';
const SEARCH = '{ jobs(first: 2) { nodes { uniqId } } }';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const code = (r: GqlResult) => r.body.errors?.[0]?.extensions?.code;
const caller = (r: GqlResult) => (r.body.data?.apiUsage as { caller: Record<string, unknown> | null } | undefined)?.caller;

let issuer: Issuer;
let s: Stack;
let required: Stack;

beforeAll(async () => {
  issuer = await startIssuer();
  const auth = { AUTH_JWKS_URL: issuer.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, CALLER_TOKENS: `ops:${sha(OPS_TOKEN)}:500` };
  s = await startStack({ env: { ...auth, TRUST_PROXY: 'true', CALLER_CREDITS_PER_DAY: '1000', ANONYMOUS_CREDITS_PER_DAY: '20' }, logs: 'info' });
  required = await startStack({ shared: s.sandbox, env: { ...auth, AUTH_REQUIRED: 'true' }, logs: 'info' });
});
beforeEach(() => s.sandbox.clearLog());
afterAll(async () => {
  await required?.close();
  await s?.close();
  await issuer?.close();
});

describe('JWT callers (RS256 key, JWKS over HTTP)', () => {
  it('a valid token names the caller by `sub`, with its quota from the claim', async () => {
    const t = await issuer.sign({ sub: 'dashboard-app', jobspikr_credits_per_day: 250 });
    const r = await s.gql(CALLER, undefined, bearer(t));
    expect(r.body.errors).toBeUndefined();
    expect(caller(r)).toMatchObject({ id: 'dashboard-app', creditQuota: 250, creditsLeft: 250, creditsUsed: 0 });
    expect(caller(r)?.resetsAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('without the quota claim the caller gets CALLER_CREDITS_PER_DAY', async () => {
    const r = await s.gql(CALLER, undefined, bearer(await issuer.sign({ sub: 'reporting' })));
    expect(caller(r)).toMatchObject({ id: 'reporting', creditQuota: 1000 });
  });

  it('expired, wrong issuer, wrong audience, wrong key, alg none: UNAUTHENTICATED (401), no upstream call', async () => {
    const claims = { sub: 'mallory' };
    const bad = {
      expired: await issuer.sign(claims, { expiresIn: -120 }),
      issuer: await issuer.sign(claims, { issuer: 'https://evil.example/' }),
      audience: await issuer.sign(claims, { audience: 'another-api' }),
      key: await issuer.sign(claims, { key: await issuer.foreignKey() }),
      none: unsignedToken({ ...claims, iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 }),
      garbage: 'not.a.jwt',
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await s.gql(SEARCH, undefined, bearer(token));
      expect({ what, status: r.status, code: code(r), data: r.body.data }).toEqual({ what, status: 401, code: 'UNAUTHENTICATED', data: undefined });
    }
    expect(s.calls()).toBe(0);
  });

  it('the key set is fetched once and cached across tokens and requests', async () => {
    const before = issuer.fetches;
    for (let i = 0; i < 5; i++) {
      const r = await s.gql(CALLER, undefined, bearer(await issuer.sign({ sub: `svc-${i}` })));
      expect(caller(r)?.id).toBe(`svc-${i}`);
    }
    expect(issuer.fetches - before).toBe(0);
    expect(issuer.fetches).toBe(1);
  });

  it('a key set that cannot be fetched refuses the token (UNAUTHENTICATED), never serves it as anonymous', async () => {
    const gone = await startStack({ shared: s.sandbox, env: { AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_JWKS_TIMEOUT_MS: '500' } });
    try {
      const r = await gone.gql(SEARCH, undefined, bearer(await issuer.sign({ sub: 'svc' })));
      expect([r.status, code(r)]).toEqual([401, 'UNAUTHENTICATED']);
      expect(s.calls()).toBe(0);
    } finally {
      await gone.close();
    }
  });

  it('a token whose caller claim is missing is refused, never anonymous', async () => {
    const r = await s.gql(CALLER, undefined, bearer(await issuer.sign({ scope: 'read' })));
    expect(code(r)).toBe('UNAUTHENTICATED');
  });
});

describe('service tokens (CALLER_TOKENS)', () => {
  it('a configured token names its caller with the entry quota', async () => {
    const r = await s.gql(CALLER, undefined, bearer(OPS_TOKEN));
    expect(caller(r)).toMatchObject({ id: 'ops', creditQuota: 500 });
  });

  it('an unknown bearer token is UNAUTHENTICATED and spends nothing', async () => {
    const r = await s.gql(SEARCH, undefined, bearer('ops-token-0123456789abcdeX'));
    expect([r.status, code(r)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(s.calls()).toBe(0);
  });

  it('the token never reaches a log line; the caller id does', async () => {
    await s.gql(SEARCH, undefined, bearer(OPS_TOKEN));
    const text = s.logs.lines.join('\n');
    expect(text).not.toContain(OPS_TOKEN);
    expect(s.logs.entries().some((e) => e.msg === 'operation' && e.caller === 'ops')).toBe(true);
  });
});

describe('anonymous callers', () => {
  it('behind a trusted proxy: the address the nearest proxy appended to X-Forwarded-For', async () => {
    const r = await s.gql(CALLER, undefined, { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' });
    expect(caller(r)).toMatchObject({ id: 'anonymous:198.51.100.7', creditQuota: 20 });
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: the socket peer names the caller', async () => {
    const plain = await startStack({ shared: s.sandbox });
    const http: Server = createServer(plain.app.yoga);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = http.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ query: CALLER }),
      });
      const body = (await res.json()) as GqlResult['body'];
      expect(body.data?.apiUsage).toMatchObject({ caller: { id: 'anonymous:127.0.0.1', creditQuota: null } });
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await plain.close();
    }
  });

  it('HTTP Basic still carries the caller’s own JobsPikr keys (and names no caller)', async () => {
    const k = s.sandbox.keys.sandbox;
    const r = await s.gql(CALLER, undefined, {
      authorization: `Basic ${Buffer.from(`${k.clientId}:${k.authKey}`).toString('base64')}`,
      'x-forwarded-for': '10.1.2.3',
    });
    expect(r.body.errors).toBeUndefined();
    expect(caller(r)?.id).toBe('anonymous:10.1.2.3');
  });
});

describe('AUTH_REQUIRED', () => {
  it('a request without a caller token is UNAUTHENTICATED before its body is read', async () => {
    const res = await required.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const body = (await res.json()) as GqlResult['body'];
    expect(res.status).toBe(401);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(required.sandbox.log).toHaveLength(0);
  });

  it('a valid token is served', async () => {
    const r = await required.gql(SEARCH, undefined, bearer(await issuer.sign({ sub: 'bi' })));
    expect(r.body.errors).toBeUndefined();
    expect(required.sandbox.log.length).toBe(1);
  });

  it('the refusal is logged once, with its code and no caller', async () => {
    const n = required.logs.entries().filter((e) => e.msg === 'operation').length;
    await required.gql(SEARCH);
    const lines = required.logs.entries().filter((e) => e.msg === 'operation');
    expect(lines).toHaveLength(n + 1);
    expect(lines.at(-1)).toMatchObject({ caller: null, errors: ['UNAUTHENTICATED'], upstreamCalls: 0, credits: 0 });
    // An expected refusal, not a crash: nothing at error level.
    expect(required.logs.lines.filter((l) => levelOf(l) >= 50)).toEqual([]);
  });
});
