import type { Redis } from 'ioredis';
import type { SlidingWindowStore, Stamp, TakeResult, WindowCount, WindowLimit } from './sliding-window.js';

// Redis' own clock is used so replicas with skewed clocks still share one timeline.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] block key, KEYS[2..] one sorted set per window. ARGV: member, then limit/windowMs pairs.
// Returns {admitted, waitMs, used per window...}.
const TAKE = `${NOW}
local used = {}
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[2 * i - 2])
  local win = tonumber(ARGV[2 * i - 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)
  local n = redis.call('ZCARD', KEYS[i])
  used[#used + 1] = n
  if n >= limit then
    local e = redis.call('ZRANGE', KEYS[i], n - limit, n - limit, 'WITHSCORES')
    local w = tonumber(e[2]) + win - now
    if w > wait then wait = w end
  end
end
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if blocked - now > wait then wait = blocked - now end
if wait > 0 then return {0, wait, unpack(used)} end
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 1]))
  used[i - 1] = used[i - 1] + 1
end
return {1, 0, unpack(used)}`;

const BLOCK = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return 1`;

const COUNTS = `${NOW}
local out = {}
for i = 1, #KEYS do
  local win = tonumber(ARGV[i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)
  local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  out[#out + 1] = redis.call('ZCARD', KEYS[i])
  out[#out + 1] = first[2] and (tonumber(first[2]) + win - now) or -1
end
return out`;

// KEYS: one sorted set per window. ARGV[1]: the member TAKE added for the call being taken back.
const REMOVE = `for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1`;

// KEYS[1] one window's sorted set. ARGV: windowMs, then age-in-ms/member pairs. NX: a member the
// set already holds (a call admitted through Redis before it went away) keeps its score.
const REPLAY = `${NOW}
local win = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local age = tonumber(ARGV[i])
  if age < win then redis.call('ZADD', KEYS[1], 'NX', now - age, ARGV[i + 1]) end
end
redis.call('PEXPIRE', KEYS[1], win)
return 1`;

/** Sliding log in Redis, shared by every replica (atomic Lua scripts). Keys hold hashes, never credentials. */
export class RedisSlidingWindow implements SlidingWindowStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private windowKey(key: string, w: WindowLimit): string {
    return `${this.prefix}win:${key}:${w.name}`;
  }

  async take(key: string, windows: readonly WindowLimit[], id: string): Promise<TakeResult> {
    const keys = [`${this.prefix}block:${key}`, ...windows.map((w) => this.windowKey(key, w))];
    const args = [id, ...windows.flatMap((w) => [String(w.limit), String(w.windowMs)])];
    const [ok, wait, ...used] = ((await this.redis.eval(TAKE, keys.length, ...keys, ...args)) as unknown[]).map(Number);
    return ok === 1 ? { ok: true, used } : { ok: false, retryAfterMs: wait ?? 0, used };
  }

  async remove(key: string, windows: readonly WindowLimit[], id: string): Promise<void> {
    const keys = windows.map((w) => this.windowKey(key, w));
    await this.redis.eval(REMOVE, keys.length, ...keys, id);
  }

  async block(key: string, ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, `${this.prefix}block:${key}`, String(Math.ceil(ms)));
  }

  async counts(key: string, windows: readonly WindowLimit[]): Promise<WindowCount[]> {
    const keys = windows.map((w) => this.windowKey(key, w));
    const raw = (await this.redis.eval(COUNTS, keys.length, ...keys, ...windows.map((w) => String(w.windowMs)))) as number[];
    const now = Date.now();
    return windows.map((_, i) => {
      const reset = Number(raw[2 * i + 1]);
      return { used: Number(raw[2 * i]), resetAt: reset < 0 ? null : now + reset };
    });
  }

  ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.redis.once('ready', () => resolve()));
  }

  onReconnect(listener: () => void): void {
    this.redis.on('ready', listener);
  }

  async replay(key: string, w: WindowLimit, stamps: readonly Stamp[]): Promise<void> {
    if (stamps.length === 0) return;
    const now = Date.now();
    const args = stamps.flatMap((s) => [String(Math.max(0, now - s.at)), s.id]);
    await this.redis.eval(REPLAY, 1, this.windowKey(key, w), String(w.windowMs), ...args);
  }
}
