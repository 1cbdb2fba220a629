import type { Redis } from 'ioredis';

/** One rolling window of a JobsPikr limit (CONTRACT §5: windows are rolling). */
export interface WindowLimit {
  readonly name: 'minute' | 'hour';
  readonly limit: number;
  readonly windowMs: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface WindowCount {
  used: number;
  /** When the oldest counted call leaves the window (epoch ms), null when none is counted. */
  resetAt: number | null;
}

/**
 * A sliding log: a call is admitted only if every window still has room over the last `windowMs`.
 * Fixed windows (what rate-limiter-flexible and most libraries offer) admit up to twice the limit
 * across a window boundary, which a rolling upstream answers with 429.
 */
export interface SlidingWindowStore {
  take(key: string, windows: readonly WindowLimit[]): Promise<TakeResult>;
  /** Admit nothing under `key` for `ms` (the upstream said 429 with Retry-After). */
  block(key: string, ms: number): Promise<void>;
  counts(key: string, windows: readonly WindowLimit[]): Promise<WindowCount[]>;
}

/** In-process sliding log. */
export class MemorySlidingWindow implements SlidingWindowStore {
  private readonly logs = new Map<string, number[]>();
  private readonly blocks = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, windows: readonly WindowLimit[]): Promise<TakeResult> {
    return this.takeSync(key, windows);
  }

  takeSync(key: string, windows: readonly WindowLimit[]): TakeResult {
    const now = this.now();
    const blocked = this.blocks.get(key) ?? 0;
    if (blocked > now) return { ok: false, retryAfterMs: blocked - now };
    let wait = 0;
    for (const w of windows) {
      const log = this.prune(`${key}:${w.name}`, w, now);
      if (log.length >= w.limit) wait = Math.max(wait, (log[log.length - w.limit] ?? now) + w.windowMs - now);
    }
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    for (const w of windows) this.record(`${key}:${w.name}`, now);
    return { ok: true };
  }

  /** Count a call made elsewhere (used to mirror calls admitted by Redis). */
  record(windowKey: string, at: number): void {
    const log = this.logs.get(windowKey);
    if (log) log.push(at);
    else this.logs.set(windowKey, [at]);
  }

  async block(key: string, ms: number): Promise<void> {
    this.blocks.set(key, Math.max(this.blocks.get(key) ?? 0, this.now() + ms));
  }

  async counts(key: string, windows: readonly WindowLimit[]): Promise<WindowCount[]> {
    const now = this.now();
    return windows.map((w) => {
      const log = this.prune(`${key}:${w.name}`, w, now);
      return { used: log.length, resetAt: log.length ? (log[0] ?? now) + w.windowMs : null };
    });
  }

  private prune(windowKey: string, w: WindowLimit, now: number): number[] {
    const log = this.logs.get(windowKey) ?? [];
    let i = 0;
    while (i < log.length && (log[i] ?? 0) <= now - w.windowMs) i++;
    const kept = i ? log.slice(i) : log;
    this.logs.set(windowKey, kept);
    return kept;
  }
}

// KEYS[1] block key, KEYS[2..] one sorted set per window. ARGV: member, then limit/windowMs pairs.
// Redis' own clock is used so replicas with skewed clocks still share one timeline.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if blocked > now then return {0, blocked - now} end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 * i - 2])
  local win = tonumber(ARGV[2 * i - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)
  local n = redis.call('ZCARD', KEYS[i])
  if n >= limit then
    local e = redis.call('ZRANGE', KEYS[i], n - limit, n - limit, 'WITHSCORES')
    local w = tonumber(e[2]) + win - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, wait} end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, now .. ':' .. ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 1]))
end
return {1, 0}`;

const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return 1`;

const COUNTS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #KEYS do
  local win = tonumber(ARGV[i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)
  local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  out[#out + 1] = redis.call('ZCARD', KEYS[i])
  out[#out + 1] = first[2] and (tonumber(first[2]) + win - now) or -1
end
return out`;

let seq = 0;

/** Sliding log in Redis, shared by every replica (atomic Lua scripts). */
export class RedisSlidingWindow implements SlidingWindowStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(key: string, windows: readonly WindowLimit[]): Promise<TakeResult> {
    const keys = [`${this.prefix}block:${key}`, ...windows.map((w) => `${this.prefix}win:${key}:${w.name}`)];
    const args = [`${process.pid}.${++seq}.${Math.random().toString(36).slice(2, 8)}`, ...windows.flatMap((w) => [String(w.limit), String(w.windowMs)])];
    const [ok, wait] = (await this.redis.eval(TAKE, keys.length, ...keys, ...args)) as [number, number];
    return ok === 1 ? { ok: true } : { ok: false, retryAfterMs: Number(wait) };
  }

  async block(key: string, ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, `${this.prefix}block:${key}`, String(Math.ceil(ms)));
  }

  async counts(key: string, windows: readonly WindowLimit[]): Promise<WindowCount[]> {
    const keys = windows.map((w) => `${this.prefix}win:${key}:${w.name}`);
    const raw = (await this.redis.eval(COUNTS, keys.length, ...keys, ...windows.map((w) => String(w.windowMs)))) as number[];
    const now = Date.now();
    return windows.map((_, i) => {
      const reset = Number(raw[2 * i + 1]);
      return { used: Number(raw[2 * i]), resetAt: reset < 0 ? null : now + reset };
    });
  }
}
