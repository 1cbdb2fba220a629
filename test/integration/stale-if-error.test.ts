import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UPSTREAM_LIMITS } from '../../src/budget/rate-gate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { startStack, type GqlResult, type Stack, type StackOptions } from '../helpers/stack.js';

// Lifetimes are shrunk to LIFE ms; a test waits past one before the upstream fails. What is asserted
// is what the client gets and the upstream calls made, never how long anything took.
const LIFE = 150;
const SHORT = {
  CACHE_TTL_SEARCH_MS: String(LIFE),
  CACHE_TTL_AGGREGATE_MS: String(LIFE),
  CACHE_TTL_EXPIRED_MS: String(LIFE),
  CACHE_TTL_RECORD_MS: String(LIFE),
  SWR_WINDOW_RATIO: '0',
  UPSTREAM_BACKOFF_BASE_MS: '5',
  UPSTREAM_BACKOFF_MAX_MS: '10',
  FAILOVER_THRESHOLD: '2',
  // Long enough that only the test's own faults decide what the hosts do.
  FAILOVER_COOLDOWN_MS: '60000',
  FAILOVER_PROBE_INTERVAL_MS: '60000',
};

const SEARCH = '{ jobs(first: 3, filter: { city: "Austin" }) { totalCount nodes { uniqId title } } }';
const COUNTS = '{ aggregate(field: JOB_BOARD, limit: 5) { key count } }';
const EXPIRED = '{ expiredJobs(from: "2020-01-01", to: "2030-01-01", first: 3) { totalCount nodes { uniqId } } }';

interface StaleNote {
  path: (string | number)[];
  ageSeconds: number;
  reason: string;
}
const stale = (r: GqlResult) => (r.body.extensions?.jobspikr as { stale?: StaleNote[] } | undefined)?.stale;
const codes = (r: GqlResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const pastLifetime = () => sleep(LIFE + 30);

let sandbox: Sandbox;
const stacks: Stack[] = [];

async function start(env: Record<string, string> = {}, o: Omit<StackOptions, 'shared' | 'env'> = {}): Promise<Stack> {
  const s = await startStack({ shared: sandbox, env: { ...SHORT, ...env }, ...o });
  stacks.push(s);
  return s;
}
/** Calls the sandbox served for clients (probes carry no client id). */
const clientCalls = () => sandbox.log.filter((e) => e.clientId !== null).length;

beforeAll(async () => {
  sandbox = await startSandbox({ jobCount: 300, seed: 11 });
});
beforeEach(() => sandbox.reset());
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await sandbox.close();
});

describe('stale-if-error', () => {
  it('both hosts failing: a search, a count, an expired list and a record answer from stale data, flagged with age and reason', async () => {
    const s = await start();
    const fresh = await Promise.all([SEARCH, COUNTS, EXPIRED].map((q) => s.gql(q)));
    for (const r of fresh) {
      expect(r.body.errors).toBeUndefined();
      expect(stale(r)).toBeUndefined();
      expect(r.headers?.get('cache-status')).toBeNull();
    }
    const id = (fresh[0]?.body.data?.jobs as { nodes: { uniqId: string }[] } | undefined)?.nodes[0]?.uniqId ?? '';
    expect((await s.gql(`{ job(uniqId: "${id}") { uniqId } }`)).body.errors).toBeUndefined();
    await pastLifetime();
    sandbox.injectFault({ kind: 'status503', host: 'both' });

    const again = await s.gql(SEARCH);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data).toEqual(fresh[0]?.body.data);
    expect(stale(again)).toEqual([{ path: ['jobs'], ageSeconds: expect.any(Number), reason: 'UPSTREAM_UNAVAILABLE' }]);
    expect(again.headers?.get('cache-status')).toMatch(/^jobspikr-graphql; hit; ttl=-\d+; detail=UPSTREAM_UNAVAILABLE$/);
    expect(again.status).toBe(200);

    // Both circuits are open now: the rest answer from stale data without another upstream call.
    expect((await s.health()).upstream).toEqual({ primary: 'open', fallback: 'open' });
    const before = clientCalls();
    const rest = await s.gql(`{ a: ${COUNTS.slice(2, -2)} e: ${EXPIRED.slice(2, -2)} job(uniqId: "${id}") { uniqId } }`);
    expect(rest.body.errors).toBeUndefined();
    expect(rest.body.data?.a).toEqual(fresh[1]?.body.data?.aggregate);
    expect(rest.body.data?.e).toEqual(fresh[2]?.body.data?.expiredJobs);
    expect(rest.body.data?.job).toEqual({ uniqId: id });
    expect(
      stale(rest)
        ?.map((n) => `${n.path.join('.')}:${n.reason}`)
        .sort(),
    ).toEqual(['a:UPSTREAM_UNAVAILABLE', 'e:UPSTREAM_UNAVAILABLE', 'job:UPSTREAM_UNAVAILABLE']);
    expect(clientCalls()).toBe(before);

    const metrics = await s.metrics();
    expect(metrics).toMatch(/jobspikr_stale_answers_total\{cache="search",reason="UPSTREAM_UNAVAILABLE"\} 1/);
    expect(metrics).toMatch(/jobspikr_stale_answers_total\{cache="record",reason="UPSTREAM_UNAVAILABLE"\} 1/);
    expect(metrics).toMatch(/jobspikr_stale_age_seconds_count\{cache="aggregate"\} 1/);
  });

  it('data never fetched before gets the error, while what was fetched answers stale in the same response', async () => {
    const s = await start();
    expect((await s.gql(SEARCH)).body.errors).toBeUndefined();
    await pastLifetime();
    sandbox.injectFault({ kind: 'status503', host: 'both' });
    // `job` is nullable (a connection is not): its error leaves the rest of the response standing.
    const r = await s.gql(`{ old: ${SEARCH.slice(2, -2)} neu: job(uniqId: "${'0'.repeat(32)}") { uniqId } }`);
    expect(r.body.data?.old).toBeTruthy();
    expect(r.body.data?.neu ?? null).toBeNull();
    expect(codes(r)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(r.body.errors?.[0]?.path).toEqual(['neu']);
    expect(stale(r)).toEqual([{ path: ['old'], ageSeconds: expect.any(Number), reason: 'UPSTREAM_UNAVAILABLE' }]);
  });

  it('an expired list cached before the client consumed more jobs still answers, stale, when the fresh call fails', async () => {
    const s = await start({ CACHE_TTL_EXPIRED_MS: '60000' });
    const first = await s.gql(EXPIRED);
    expect(first.body.errors).toBeUndefined();
    // Buying records that may have expired makes the cached list out of date (a new version of its key).
    expect((await s.gql('{ jobs(first: 5, filter: { includeExpired: true }) { nodes { uniqId } } }')).body.errors).toBeUndefined();
    sandbox.injectFault({ kind: 'status503', host: 'both' });
    const r = await s.gql(EXPIRED);
    expect(r.body.data).toEqual(first.body.data);
    expect(stale(r)).toEqual([{ path: ['expiredJobs'], ageSeconds: expect.any(Number), reason: 'UPSTREAM_UNAVAILABLE' }]);
    expect(sandbox.log.filter((e) => e.endpoint === 'expired_jobs' && e.status === 503).length).toBeGreaterThan(0);
  });

  it('with the rate budget spent, a search and a count answer stale with RATE_LIMITED', async () => {
    const limits = { ...UPSTREAM_LIMITS, data: { perMinute: 1, perHour: 100 }, aggregate_data: { perMinute: 1, perHour: 100 } };
    const s = await start({ RATE_LIMIT_MAX_WAIT_MS: '50' }, { limits });
    const first = [await s.gql(SEARCH), await s.gql(COUNTS)];
    await pastLifetime();
    const calls = clientCalls();
    const [search, counts] = [await s.gql(SEARCH), await s.gql(COUNTS)];
    expect(search.body.data).toEqual(first[0]?.body.data);
    expect(counts.body.data).toEqual(first[1]?.body.data);
    expect(stale(search)).toEqual([{ path: ['jobs'], ageSeconds: expect.any(Number), reason: 'RATE_LIMITED' }]);
    expect(stale(counts)).toEqual([{ path: ['aggregate'], ageSeconds: expect.any(Number), reason: 'RATE_LIMITED' }]);
    expect(clientCalls()).toBe(calls); // refused before anything left
    // Not answerable from stale data: the budget error, as before.
    const other = await s.gql('{ aggregate(field: COUNTRY) { key } }');
    expect(codes(other)).toEqual(['RATE_LIMITED']);
  });

  it('with the job credits exhausted, a search answers stale with CREDITS_EXHAUSTED', async () => {
    const tiny = { clientId: 'stale-tiny-client', authKey: 'stale-tiny-key' };
    sandbox.addKey(tiny, 'production', 3);
    const s = await start({ REQUIRE_CLIENT_CREDENTIALS: 'true' }, { key: 'none' });
    const keys = { client_id: tiny.clientId, client_auth_key: tiny.authKey };
    const first = await s.gql(SEARCH, undefined, keys);
    expect(first.body.errors).toBeUndefined();
    expect(sandbox.creditsRemaining(tiny.clientId)).toBe(0);
    await pastLifetime();
    const r = await s.gql(SEARCH, undefined, keys);
    expect(r.body.data).toEqual(first.body.data);
    expect(stale(r)).toEqual([{ path: ['jobs'], ageSeconds: expect.any(Number), reason: 'CREDITS_EXHAUSTED' }]);
    expect(sandbox.log.map((e) => e.status)).toEqual([200, 402]);
  });

  it('x-max-stale: 0 gets the error; x-max-stale above the age gets the stale data; a bad value is BAD_USER_INPUT', async () => {
    const s = await start();
    const first = await s.gql(SEARCH);
    await pastLifetime();
    sandbox.injectFault({ kind: 'status503', host: 'both' });
    const refused = await s.gql(SEARCH, undefined, { 'x-max-stale': '0' });
    expect(refused.body.data?.jobs ?? null).toBeNull();
    expect(codes(refused)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(stale(refused)).toBeUndefined();
    expect(refused.headers?.get('cache-status')).toBeNull();
    const accepted = await s.gql(SEARCH, undefined, { 'x-max-stale': '3600' });
    expect(accepted.body.data).toEqual(first.body.data);
    expect(stale(accepted)).toHaveLength(1);
    const bad = await s.gql(SEARCH, undefined, { 'x-max-stale': 'soon' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });

  it('STALE_MAX_AGE_MS=0 keeps nothing past its lifetime', async () => {
    const s = await start({ STALE_MAX_AGE_MS: '0' });
    expect((await s.gql(SEARCH)).body.errors).toBeUndefined();
    await pastLifetime();
    sandbox.injectFault({ kind: 'status503', host: 'both' });
    expect(codes(await s.gql(SEARCH))).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('a key pair the upstream never accepted gets no stale data, even for the client whose data is held', async () => {
    const s = await start({ REQUIRE_CLIENT_CREDENTIALS: 'true' }, { key: 'none' });
    const { clientId, authKey } = sandbox.keys.production;
    const own = { client_id: clientId, client_auth_key: authKey };
    const first = await s.gql(SEARCH, undefined, own);
    expect(first.body.errors).toBeUndefined();
    await pastLifetime();
    sandbox.injectFault({ kind: 'status503', host: 'both' });
    const wrong = await s.gql(SEARCH, undefined, { client_id: clientId, client_auth_key: 'never-accepted' });
    expect(wrong.body.data?.jobs ?? null).toBeNull();
    expect(codes(wrong)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(stale(wrong)).toBeUndefined();
    const right = await s.gql(SEARCH, undefined, own);
    expect(right.body.data).toEqual(first.body.data);
    expect(stale(right)).toHaveLength(1);
  });

  it('an unreadable upstream answer (UPSTREAM_ERROR) is answered from stale data too', async () => {
    const s = await start();
    expect((await s.gql(SEARCH)).body.errors).toBeUndefined();
    await pastLifetime();
    // Malformed bodies are host faults: UPSTREAM_ERROR, or UPSTREAM_UNAVAILABLE once both circuits open.
    sandbox.injectFault({ kind: 'malformed', host: 'both', times: 100 });
    const r = await s.gql(SEARCH);
    expect(stale(r)?.[0]?.reason).toMatch(/^UPSTREAM_(ERROR|UNAVAILABLE)$/);
  });
});

describe('stale copies shared through Redis', () => {
  let replicas: Replicas;
  beforeAll(async () => {
    replicas = await startReplicas({ sandbox: { jobCount: 200, seed: 12 }, env: SHORT, redisPrefix: 'stale-test:' });
  });
  afterAll(async () => {
    await replicas.close();
  });

  it('a replica that never saw the query answers the stale copy another replica cached', async () => {
    const [a, b] = replicas.stacks as [Stack, Stack];
    const first = await a.gql(SEARCH);
    const counts = await a.gql(COUNTS);
    expect(first.body.errors).toBeUndefined();
    await pastLifetime();
    replicas.sandbox.injectFault({ kind: 'status503', host: 'both' });
    const fromB = await b.gql(SEARCH);
    const countsB = await b.gql(COUNTS);
    const fromA = await a.gql(SEARCH);
    expect(fromB.body.data).toEqual(first.body.data);
    expect(countsB.body.data).toEqual(counts.body.data);
    expect(fromA.body.data).toEqual(first.body.data);
    for (const r of [fromB, countsB, fromA]) expect(stale(r)?.[0]?.reason).toBe('UPSTREAM_UNAVAILABLE');
    // One fetch of each: B held nothing of its own.
    expect(replicas.sandbox.log.filter((e) => e.status === 200).length).toBe(2);
  });
});
