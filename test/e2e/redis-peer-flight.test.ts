import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerFlight } from '../../src/budget/peer-flight.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

// PeerFlight's timings (config PEER_FLIGHT_POLL_MS / PEER_FLIGHT_RESULT_TTL_MS) against a real Redis.

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** How often Redis has run `command` since it started (INFO commandstats). */
async function commandCalls(command: string): Promise<number> {
  const m = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await redis.info('commandstats'));
  return Number(m?.[1] ?? 0);
}

/** A call that resolves when the test says so. */
function gated<T>(value: T) {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  let calls = 0;
  return {
    call: async () => {
      calls++;
      await opened;
      return value;
    },
    open,
    calls: () => calls,
  };
}

describe('PeerFlight timings', () => {
  it('a finished call’s result lives resultTtlMs in Redis', async () => {
    const flight = new PeerFlight({ redis, prefix: 'pf1:', waitMs: 2_000, pollMs: 20, resultTtlMs: 300 });
    await flight.run('k', new AbortController().signal, async () => 'v');
    const ttl = await redis.pttl('pf1:result:k');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  it('a waiting peer looks for the result once per pollMs (counted in Redis’ own command stats)', async () => {
    const leader = new PeerFlight({ redis, prefix: 'pf2:', waitMs: 10_000, pollMs: 20, resultTtlMs: 5_000 });
    const follower = new PeerFlight({ redis, prefix: 'pf2:', waitMs: 10_000, pollMs: 250, resultTtlMs: 5_000 });
    const lead = gated('shared');
    const leading = leader.run('k', new AbortController().signal, lead.call);
    while (lead.calls() === 0) await sleep(5);
    const looksBefore = await commandCalls('mget');
    const own = gated('own');
    const started = performance.now();
    const following = follower.run('k', new AbortController().signal, own.call);
    await sleep(600); // the leader's call takes this long: at 250 ms a period, two looks (the default 20 ms: 30)
    lead.open();
    expect(await leading).toEqual({ value: 'shared', byPeer: false });
    expect(await following).toEqual({ value: 'shared', byPeer: true });
    expect(own.calls()).toBe(0);
    const waited = performance.now() - started;
    const looks = (await commandCalls('mget')) - looksBefore;
    expect(looks).toBeGreaterThanOrEqual(1);
    // At most one look per 250 ms of waiting (a slow machine only stretches the wait); the default 20 ms would be 30+.
    expect(looks).toBeLessThanOrEqual(Math.ceil(waited / 250) + 1);
    expect(looks).toBeLessThan(10);
  });
});
