import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJobRecord, Sandbox } from '../../src/sandbox/server.js';
import { serve, subscribe, until, type Served, type Subscription } from '../helpers/live.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { Stack } from '../helpers/stack.js';

// Two replicas of one deployment (production key: every record bought costs a credit) sharing a real
// redis-server; five graphql-sse clients, in both of its modes, watch one filter.
const MAX_POLL_MS = 200;
const FILTER = { keywords: 'Zyxquark' };
const SAME_FILTER_SPELT_OTHERWISE = { keywords: '  zyxQUARK ', includeExpired: false };
const matching = { job_title: 'Zyxquark engineer' };

let replicas: Replicas;
let sandbox: Sandbox;
let a: Stack;
let b: Stack;
let servedA: Served;
let servedB: Served;
let inspect: Redis;
const subs: Subscription[] = [];
const published: RawJobRecord[] = [];

const dataCalls = () => sandbox.log.filter((e) => e.endpoint === 'data');
const pollsOfFilter = () => dataCalls().filter((e) => JSON.stringify(e.body).includes('zyxquark'));
const prodId = () => sandbox.keys.production.clientId;

beforeAll(async () => {
  replicas = await startReplicas({
    sandbox: {},
    key: 'production',
    env: {
      LIVE_MIN_POLL_MS: '40',
      LIVE_MAX_POLL_MS: String(MAX_POLL_MS),
      LIVE_LEASE_MS: '300',
      LIVE_REPLAY_MS: '60000',
    },
    redisPrefix: 'live-test:',
  });
  sandbox = replicas.sandbox;
  [a, b] = replicas.stacks as [Stack, Stack];
  [servedA, servedB] = await Promise.all([serve(a), serve(b)]);
  inspect = new Redis(replicas.redis.url);
});
afterAll(async () => {
  for (const s of subs) s.dispose();
  inspect.disconnect();
  await servedA.close();
  await servedB.close();
  await replicas.close();
});

describe('jobPosted across two replicas sharing Redis', () => {
  it('five subscribers on one filter: one poll stream, each matching job once and in order, each record bought once', async () => {
    subs.push(
      subscribe(servedA.url, FILTER),
      subscribe(servedA.url, SAME_FILTER_SPELT_OTHERWISE, { single: true }),
      subscribe(servedA.url, FILTER),
      subscribe(servedB.url, FILTER),
      subscribe(servedB.url, SAME_FILTER_SPELT_OTHERWISE, { single: true }),
    );
    await until(() => a.app.live.stats().subscribers === 3 && b.app.live.stats().subscribers === 2);
    expect(a.app.live.stats().topics + b.app.live.stats().topics).toBe(2); // one topic per replica, one filter
    // The followed search has started (its cursor is "now"): what is published from here on is new.
    await until(() => pollsOfFilter().length > 0);
    const credits0 = sandbox.creditsRemaining(prodId());
    const calls0 = dataCalls().length;

    published.push(...sandbox.publish(2, matching));
    const noise = sandbox.publish(3);
    published.push(...sandbox.publish(2, matching));
    for (const s of subs) await s.waitFor(4);
    await sleep(MAX_POLL_MS * 3); // anything delivered twice or late would show now

    const want = published.map((r) => r.uniq_id);
    for (const s of subs) {
      expect(s.errors).toEqual([]);
      expect(s.received.map((r) => r.uniqId)).toEqual(want);
      const ids = s.received.map((r) => BigInt(r.id));
      expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0n))).toBe(true);
    }
    const delivered = new Set(subs.flatMap((s) => s.received.map((r) => r.uniqId)));
    for (const r of noise) expect(delivered.has(r.uniq_id)).toBe(false);

    // One poll stream: every /data call since is the filter's poll, and never two at once from both replicas
    // (the records they returned add up to each new record exactly once).
    const since = dataCalls().slice(calls0);
    expect(since.every((e) => JSON.stringify(e.body).includes('zyxquark'))).toBe(true);
    expect(since.reduce((n, e) => n + e.records, 0)).toBe(4);
    expect(credits0 - sandbox.creditsRemaining(prodId())).toBe(4);
    const usage = await b.gql('{ apiUsage { creditsUsedByThisServer } }');
    expect(usage.body.data?.apiUsage).toEqual({ creditsUsedByThisServer: 4 });
    // Among callers: each subscription received all 4 records and is attributed a fifth of their credits.
    const caller = 'anonymous:127.0.0.1';
    expect(a.app.live.callerCredits.get(caller)).toBeCloseTo((4 * 3) / 5);
    expect(b.app.live.callerCredits.get(caller)).toBeCloseTo((4 * 2) / 5);
  });

  it('a delivered job is in the record cache: job(uniqId) on the other replica costs no upstream call', async () => {
    // The subscriptions are still open, so the topic's poller may poll meanwhile: only other calls count.
    const lookups = () => dataCalls().length - pollsOfFilter().length;
    const calls = lookups();
    const r = await b.gql('query($id: String!) { job(uniqId: $id) { uniqId title } }', { id: published[0]?.uniq_id });
    expect(r.body.data?.job).toEqual({ uniqId: published[0]?.uniq_id, title: 'Zyxquark engineer' });
    expect(r.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, upstreamCalls: 0 });
    expect(lookups()).toBe(calls);
  });

  it('a client reconnecting to the other replica with Last-Event-ID gets what it missed, with no upstream call for it', async () => {
    const gone = subs.shift() as Subscription;
    const lastSeen = gone.received.at(-1)?.id ?? '';
    gone.dispose();
    await until(() => a.app.live.stats().subscribers === 2);
    const missed = sandbox.publish(3, matching);
    for (const s of subs) await s.waitFor(7);
    const credits = sandbox.creditsRemaining(prodId());
    const calls = dataCalls().length;

    const back = subscribe(servedB.url, FILTER, { headers: { 'last-event-id': lastSeen } });
    subs.push(back);
    await back.waitFor(3);
    expect(back.errors).toEqual([]);
    expect(back.received.map((r) => r.uniqId)).toEqual(missed.map((r) => r.uniq_id));
    // Polls went on meanwhile, but none bought a record again.
    expect(
      dataCalls()
        .slice(calls)
        .every((e) => e.records === 0),
    ).toBe(true);
    expect(sandbox.creditsRemaining(prodId())).toBe(credits);
  });

  it('when the last subscriber leaves, polling stops on every replica', async () => {
    for (const s of subs.splice(0)) s.dispose();
    await until(() => a.app.live.stats().topics === 0 && b.app.live.stats().topics === 0);
    const calls = dataCalls().length;
    await sleep(MAX_POLL_MS * 4);
    expect(dataCalls().length).toBe(calls);
    expect(await inspect.keys('live-test:live:lease:*')).toEqual([]);
  });
});
