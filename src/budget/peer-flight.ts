import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { traced } from '../telemetry/spans.js';

export interface PeerFlightOptions {
  redis: Redis;
  prefix: string;
  /** Longest a replica waits for a peer's identical call before making its own (and the lock's lifetime). */
  waitMs: number;
  /** How often a waiting replica looks for the peer's result (config PEER_FLIGHT_POLL_MS). */
  pollMs: number;
  /** How long a finished call's result stays readable (config PEER_FLIGHT_RESULT_TTL_MS). */
  resultTtlMs: number;
}

// A result published by a peer (KEYS[2]) answers at once; else take the lock (KEYS[1]) if free.
// Returns {2, result}, {1} (lock taken) or {0} (a peer holds it).
const ACQUIRE = `local r = redis.call('GET', KEYS[2])
if r then return {2, r} end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {1} end
return {0}`;

// Delete the lock only if it is still ours (it may have expired and been taken by another replica).
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Single-flight across replicas: the replica that takes a Redis lock for a request makes the call and
 * publishes the result; the others wait for that result, or make the call themselves when the holder
 * fails or Redis is unreachable (never worse than no coordination).
 */
export class PeerFlight {
  constructor(private readonly o: PeerFlightOptions) {}

  /** The call's value, and whether a peer made it (nothing was spent here). */
  async run<T>(key: string, signal: AbortSignal, call: () => Promise<T>): Promise<{ value: T; byPeer: boolean }> {
    const lock = `${this.o.prefix}lock:${key}`;
    const result = `${this.o.prefix}result:${key}`;
    const token = randomUUID();
    const giveUpAt = Date.now() + this.o.waitMs;
    while (Date.now() < giveUpAt) {
      const got = (await this.o.redis.eval(ACQUIRE, 2, lock, result, token, String(this.o.waitMs)).catch(() => undefined)) as [number, string?] | undefined;
      if (got === undefined) break; // Redis unreachable: call on our own
      if (got[0] === 2 && typeof got[1] === 'string') return { value: JSON.parse(got[1]) as T, byPeer: true };
      if (got[0] === 1) return { value: await this.lead(lock, result, token, call), byPeer: false };
      const raw = await traced('redis peer-flight wait', { 'db.system': 'redis' }, () => this.awaitPeer(result, lock, signal, giveUpAt));
      if (raw !== undefined) return { value: JSON.parse(raw) as T, byPeer: true };
    }
    return { value: await call(), byPeer: false };
  }

  /** The peer's published result, or undefined once the holder failed (or is too slow): then try to lead. */
  private async awaitPeer(result: string, lock: string, signal: AbortSignal, giveUpAt: number): Promise<string | undefined> {
    for (;;) {
      await sleep(this.o.pollMs, undefined, { signal });
      const [raw, holder] = await this.o.redis.mget(result, lock).catch(() => [null, null]);
      if (typeof raw === 'string') return raw;
      if (!holder || Date.now() >= giveUpAt) return undefined;
    }
  }

  private async lead<T>(lock: string, result: string, token: string, call: () => Promise<T>): Promise<T> {
    try {
      const value = await call();
      await this.o.redis.set(result, JSON.stringify(value), 'PX', this.o.resultTtlMs).catch(() => undefined);
      return value;
    } finally {
      await this.o.redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
    }
  }
}
