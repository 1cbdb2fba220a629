import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BusOptions, LiveBus } from './bus.js';
import { eventOrder, type LiveBatch, type LiveEvent } from './events.js';

// Redis' clock, so replicas with skewed clocks agree on lease expiry.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: lease, topics zset. ARGV: holder, leaseMs, topic. Take a free lease or renew one's own.
const LEAD = `${NOW}
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return 1`;

// KEYS: lease, topics zset. ARGV: holder, topic.
const RESIGN = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1`;

// KEYS: lease, cursor, log, subscriber counts. ARGV: holder, cursor, replayMs, maxEvents, channel,
// credits, fault JSON ('' = none), then one JSON text per event. Fenced by the lease: a poller that
// lost it (paused past its lease) publishes nothing, so the one that took over is the only source.
const PUBLISH = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
local n = #ARGV - 7
if n == 0 and ARGV[7] == '' then return 1 end
local events = {}
for i = 8, #ARGV do
  redis.call('RPUSH', KEYS[3], ARGV[i])
  events[#events + 1] = ARGV[i]
end
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[3], ttl)
local subs = 0
for _, c in ipairs(redis.call('HVALS', KEYS[4])) do subs = subs + tonumber(c) end
local fault = ARGV[7] == '' and '' or (',"fault":' .. ARGV[7])
redis.call('PUBLISH', ARGV[5], '{"credits":' .. ARGV[6] .. ',"subscribers":' .. subs .. fault .. ',"events":[' .. table.concat(events, ',') .. ']}')
return 1`;

interface Kept {
  at: number;
  event: LiveEvent;
}

/**
 * The live bus across replicas: a lease per topic (SET NX PX, renewed by its holder), the cursor and
 * a capped list of recent events per topic, and pub/sub for fan-out. Publishing is one script, so the
 * cursor, the replay list and the message move together or not at all. Keys hold hashes, never keys.
 */
export class RedisBus implements LiveBus {
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<(b: LiveBatch) => void>>();
  private readonly p: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly o: BusOptions,
    private readonly logger: Logger,
  ) {
    this.p = `${prefix}live:`;
    // Subscriber mode needs a connection of its own; it queues while offline and re-subscribes on reconnect.
    this.sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.sub.on('error', (e: Error) => logger.debug({ err: e.message }, 'live bus subscriber: redis error'));
    this.sub.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  private channel(topic: string): string {
    return `${this.p}ev:${topic}`;
  }

  async listen(topic: string, listener: (batch: LiveBatch) => void): Promise<() => Promise<void>> {
    const channel = this.channel(topic);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.sub.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size > 0 || this.listeners.get(channel) !== set) return;
      this.listeners.delete(channel);
      await this.sub.unsubscribe(channel).catch(() => undefined);
    };
  }

  async publish(topic: string, holder: string, batch: Omit<LiveBatch, 'subscribers'>, cursor: string): Promise<boolean> {
    const now = Date.now();
    const keys = [`${this.p}lease:${topic}`, `${this.p}cursor:${topic}`, `${this.p}log:${topic}`, `${this.p}subs:${topic}`];
    const events = batch.events.map((event) => JSON.stringify({ at: now, event } satisfies Kept));
    const fault = batch.fault ? JSON.stringify(batch.fault) : '';
    const args = [holder, cursor, String(this.o.replayMs), String(this.o.replayMaxEvents), this.channel(topic), String(batch.credits), fault, ...events];
    return Number(await this.redis.eval(PUBLISH, keys.length, ...keys, ...args)) === 1;
  }

  async replay(topic: string, afterId: string): Promise<LiveEvent[]> {
    const after = eventOrder(afterId);
    const since = Date.now() - this.o.replayMs;
    const raw = await this.redis.lrange(`${this.p}log:${topic}`, 0, -1);
    return raw
      .map((text) => JSON.parse(text) as Kept)
      .filter((k) => k.at > since && eventOrder(k.event.id) > after)
      .map((k) => k.event);
  }

  async lead(topic: string, holder: string): Promise<boolean> {
    const r = await this.redis.eval(LEAD, 2, `${this.p}lease:${topic}`, `${this.p}topics`, holder, String(this.o.leaseMs), topic);
    return Number(r) === 1;
  }

  async resign(topic: string, holder: string): Promise<void> {
    await this.redis.eval(RESIGN, 2, `${this.p}lease:${topic}`, `${this.p}topics`, holder, topic);
  }

  async cursor(topic: string): Promise<string | null> {
    return this.redis.get(`${this.p}cursor:${topic}`);
  }

  async activeTopics(): Promise<number> {
    return this.redis.zcount(`${this.p}topics`, Date.now(), '+inf');
  }

  async subscribers(topic: string, replica: string, count: number): Promise<void> {
    const key = `${this.p}subs:${topic}`;
    if (count > 0) await this.redis.multi().hset(key, replica, String(count)).pexpire(key, this.o.replayMs).exec();
    else await this.redis.hdel(key, replica);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.sub.disconnect();
  }

  private dispatch(channel: string, message: string): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    let batch: LiveBatch;
    try {
      const raw = JSON.parse(message) as Omit<LiveBatch, 'events'> & { events: Kept[] };
      batch = { ...raw, events: raw.events.map((k) => k.event) };
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'live bus: unreadable message dropped');
      return;
    }
    for (const l of [...set]) l(batch);
  }
}
