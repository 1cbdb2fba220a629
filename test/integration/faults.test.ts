import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { ThreeJobsDocument as SEARCH } from '../generated/graphql.js';
import { codesOf as codes, dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startSandbox, type FaultKind, type RequestLogEntry, type Sandbox } from '../../src/sandbox/server.js';

// Every fault mode of the sandbox, driven through the GraphQL server. Counts come from the sandbox's
// own request log; background probes (sent without a client id) are left out of "calls".

let sandbox: Sandbox;
const stacks: Stack[] = [];

/** The app over the shared sandbox with its logs captured (debug level), like production. */
async function start(env: Record<string, string> = {}, key: 'sandbox' | 'production' = 'sandbox'): Promise<Stack> {
  const s = await startStack({
    shared: sandbox,
    key,
    logs: 'debug',
    env: {
      CURSOR_SECRET: 'faults',
      UPSTREAM_BACKOFF_BASE_MS: '5',
      UPSTREAM_BACKOFF_MAX_MS: '20',
      FAILOVER_THRESHOLD: '2',
      // A long cooldown: only the background probe can bring the primary back within a test.
      FAILOVER_COOLDOWN_MS: '60000',
      FAILOVER_PROBE_INTERVAL_MS: '20',
      ...env,
    },
  });
  stacks.push(s);
  return s;
}

/** Upstream requests made for clients (probes carry no client id), optionally for one endpoint. */
const calls = (endpoint?: RequestLogEntry['endpoint']) => sandbox.log.filter((e) => e.clientId !== null && (!endpoint || e.endpoint === endpoint));
const trail = (endpoint: RequestLogEntry['endpoint'] = 'data') => calls(endpoint).map((e) => `${e.host}:${e.status}`);

beforeAll(async () => {
  sandbox = await startSandbox({ jobCount: 200, seed: 4 });
});
beforeEach(() => sandbox.reset());
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await sandbox.close();
});

describe('transient faults are retried and the answer arrives', () => {
  const kinds: FaultKind[] = ['status500', 'status502', 'status503', 'html503', 'reset'];
  it.each(kinds)('%s once: one retry on the primary, full answer, server healthy', async (kind) => {
    const s = await start();
    sandbox.injectFault({ kind, times: 1, endpoint: 'data' });
    const r = await s.gql(SEARCH);
    expect(r.body.errors).toBeUndefined();
    expect(dataOf(r).jobs.nodes).toHaveLength(3);
    const failed = kind === 'reset' ? 0 : kind === 'status500' ? 500 : kind === 'status502' ? 502 : 503;
    expect(trail()).toEqual([`primary:${failed}`, 'primary:200']);
    expect((await s.health()).upstream).toEqual({ primary: 'closed', fallback: 'closed' });
  });

  it('a 429 with Retry-After inside the deadline waits that long, then succeeds with one more call', async () => {
    const s = await start();
    sandbox.injectFault({ kind: 'rate429', times: 1, endpoint: 'data', retryAfterSeconds: 1 });
    const r = await s.gql(SEARCH);
    expect(r.body.errors).toBeUndefined();
    expect(trail()).toEqual(['primary:429', 'primary:200']);
    await s.health();
  });
});

describe('faults that must not be retried', () => {
  it('a 429 whose Retry-After outlasts the deadline is RATE_LIMITED with retryAfter, and the key stays quiet meanwhile', async () => {
    const s = await start({ UPSTREAM_DEADLINE_MS: '1000' });
    sandbox.injectFault({ kind: 'rate429', times: 1, endpoint: 'data', retryAfterSeconds: 30 });
    const r = await s.gql(SEARCH);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30 });
    expect(trail()).toEqual(['primary:429']);
    // Another search with the same key during the Retry-After period is refused locally.
    const again = await s.gql('{ jobs(first: 4) { totalCount } }');
    expect(codes(again)).toEqual(['RATE_LIMITED']);
    expect(calls('data')).toHaveLength(1);
    await s.health();
  });

  it('4xx answers are final: wrong key (401) and exhausted credits (402) cost one call each', async () => {
    const s = await start();
    const wrong = await s.gql(SEARCH, undefined, { client_id: sandbox.keys.sandbox.clientId, client_auth_key: 'not-the-key' });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(trail()).toEqual(['primary:401']);

    sandbox.clearLog();
    sandbox.addKey({ clientId: 'broke_prod_0000000001', authKey: 'broke-key' }, 'production', 0);
    const broke = await s.gql(SEARCH, undefined, { client_id: 'broke_prod_0000000001', client_auth_key: 'broke-key' });
    expect(codes(broke)).toEqual(['CREDITS_EXHAUSTED']);
    expect(trail()).toEqual(['primary:402']);
    await s.health();
  });

  it.each(['truncated', 'malformed'] as const)('%s JSON fails only the field that read it; the other fields resolve', async (kind) => {
    const s = await start();
    sandbox.injectFault({ kind, endpoint: 'data' });
    const id = String(sandbox.jobs[0]?.uniq_id);
    const r = await s.gql(`{ job(uniqId: "${id}") { title } aggregate(field: CATEGORY, limit: 3) { key count } apiUsage { sandbox } }`);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]).toMatchObject({ path: ['job'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(r.body.data?.job).toBeNull();
    expect(r.body.data?.aggregate).toHaveLength(3);
    expect(r.body.data?.apiUsage).toEqual({ sandbox: true });
    // A readable-but-wrong 200 is not retried: it would only be wrong again.
    expect(trail()).toEqual(['primary:200']);
    expect(calls('aggregate_data')).toHaveLength(1);
    await s.health();
  });

  it('a slow upstream past UPSTREAM_DEADLINE_MS is UPSTREAM_UNAVAILABLE after one call', async () => {
    const s = await start({ UPSTREAM_DEADLINE_MS: '300' });
    sandbox.injectFault({ kind: 'slow', delayMs: 10_000, endpoint: 'data' });
    const r = await s.gql(SEARCH);
    expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(r.body.errors?.[0]?.path).toEqual(['jobs']);
    expect(calls('data')).toHaveLength(1);
    await s.health();
  });
});

describe('production keys: nothing is bought twice', () => {
  it('a reset after the search was sent is not re-sent (the upstream may have charged)', async () => {
    const s = await start({}, 'production');
    sandbox.injectFault({ kind: 'reset', times: 1, endpoint: 'data' });
    const r = await s.gql(SEARCH);
    expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(trail()).toEqual(['primary:0']);
    await s.health();
  });

  it('a truncated page is not re-bought', async () => {
    const s = await start({}, 'production');
    sandbox.injectFault({ kind: 'truncated', times: 1, endpoint: 'data' });
    const r = await s.gql(SEARCH);
    expect(codes(r)).toEqual(['UPSTREAM_ERROR']);
    expect(trail()).toEqual(['primary:200']);
  });

  it('an error status (nothing delivered, nothing charged) is retried, and so are free endpoints after a reset', async () => {
    const s = await start({}, 'production');
    const before = sandbox.creditsRemaining(sandbox.keys.production.clientId);
    sandbox.injectFault({ kind: 'status503', times: 1, endpoint: 'data' });
    const r = await s.gql(SEARCH);
    expect(r.body.errors).toBeUndefined();
    expect(trail()).toEqual(['primary:503', 'primary:200']);
    expect(before - sandbox.creditsRemaining(sandbox.keys.production.clientId)).toBe(3);

    sandbox.injectFault({ kind: 'reset', times: 1, endpoint: 'aggregate_data' });
    const agg = await s.gql('{ aggregate(field: JOB_TYPE, limit: 2) { key count } }');
    expect(agg.body.errors).toBeUndefined();
    expect(trail('aggregate_data')).toEqual(['primary:0', 'primary:200']);
  });
});

describe('failover to the fallback host and back', () => {
  it('an unreachable primary (connection refused) is safe to retry even for production keys: the fallback serves', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v2`;
    const s = await start({ JOBSPIKR_BASE_URL: closed }, 'production');
    const r = await s.gql(SEARCH);
    expect(r.body.errors).toBeUndefined();
    expect(trail()).toEqual(['fallback:200']);
    const metrics = await s.metrics();
    expect(metrics).toMatch(/jobspikr_upstream_requests_total\{endpoint="data",host="primary",outcome="upstream_unavailable"\} 2/);
    expect((await s.health()).upstream.primary).toBe('open');
  });

  it('persistent primary failure: served by the fallback, then by the primary again once the probe finds it up', async () => {
    const s = await start();
    sandbox.injectFault({ kind: 'status503', host: 'primary' });

    const first = await s.gql(SEARCH);
    expect(first.body.errors).toBeUndefined();
    // Two faults open the primary's circuit (FAILOVER_THRESHOLD=2); the same call moves on to the fallback.
    expect(trail()).toEqual(['primary:503', 'primary:503', 'fallback:200']);
    expect((await s.health()).upstream.primary).toBe('open');

    sandbox.clearLog();
    const during = await s.gql('{ jobs(first: 5) { totalCount } aggregate(field: COUNTRY, limit: 2) { key } }');
    expect(during.body.errors).toBeUndefined();
    expect(calls().map((e) => e.host)).toEqual(['fallback', 'fallback']);

    // Recovery: the cooldown is a minute, so only the background probe can reopen the way.
    sandbox.clearFaults();
    await vi.waitFor(async () => expect((await s.health()).upstream.primary).not.toBe('open'), { timeout: 5_000, interval: 20 });
    sandbox.clearLog();
    const after = await s.gql('{ jobs(first: 6) { totalCount } }');
    expect(after.body.errors).toBeUndefined();
    expect(trail()).toEqual(['primary:200']);
    expect((await s.health()).upstream).toEqual({ primary: 'closed', fallback: 'closed' });

    // Which host served each call: in metrics, and in the logs.
    const metrics = await s.metrics();
    expect(metrics).toMatch(/jobspikr_upstream_requests_total\{endpoint="data",host="fallback",outcome="ok"\} 2/);
    expect(metrics).toMatch(/jobspikr_upstream_requests_total\{endpoint="data",host="primary",outcome="upstream_unavailable"\} 2/);
    expect(metrics).toMatch(/jobspikr_upstream_requests_total\{endpoint="data",host="primary",outcome="ok"\} 1/);
    const served = s.logs.entries().filter((l) => l.msg === 'upstream call served');
    expect(served.map((l) => `${String(l.endpoint)}@${String(l.host)}`)).toEqual(['data@fallback', 'data@fallback', 'aggregate_data@fallback', 'data@primary']);
    expect(s.logs.entries().some((l) => l.msg === 'upstream host failing; circuit opened' && l.host === 'primary')).toBe(true);
  });

  it('a failed trial call re-opens the primary at once and the call still lands on the fallback', async () => {
    // Probes far apart compared with the retry backoff (≤ 20 ms), so one probe means one trial.
    const s = await start({ FAILOVER_PROBE_INTERVAL_MS: '500' });
    sandbox.injectFault({ kind: 'status500', host: 'primary', endpoint: 'data' });
    await s.gql(SEARCH);
    expect(trail()).toEqual(['primary:500', 'primary:500', 'fallback:200']);
    // The probe asks /expired_jobs, which is healthy, so the primary gets one trial call on /data.
    await vi.waitFor(async () => expect((await s.health()).upstream.primary).toBe('half_open'), { timeout: 5_000, interval: 20 });
    sandbox.clearLog();
    const r = await s.gql('{ jobs(first: 7) { totalCount } }');
    expect(r.body.errors).toBeUndefined();
    expect(trail()).toEqual(['primary:500', 'fallback:200']);
    await s.health();
  });

  it('both hosts down: UPSTREAM_UNAVAILABLE, then fail fast without calling either host', async () => {
    const s = await start();
    sandbox.injectFault({ kind: 'status500', host: 'both' });
    const r = await s.gql(SEARCH);
    expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(trail()).toEqual(['primary:500', 'primary:500', 'fallback:500', 'fallback:500']);
    expect((await s.health()).upstream).toEqual({ primary: 'open', fallback: 'open' });

    sandbox.clearLog();
    const again = await s.gql('{ jobs(first: 8) { totalCount } }');
    expect(codes(again)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(typeof again.body.errors?.[0]?.extensions?.retryAfter).toBe('number');
    expect(calls()).toHaveLength(0);
    await s.health();
  });
});
