import type { LiveBatch, LiveEvent } from './events.js';
import { eventOrder } from './events.js';

/**
 * What replicas share about live topics: who polls each one (a lease), where its poll stands (the
 * remembered cursor), the recent events (for Last-Event-ID replay) and the fan-out to every replica's
 * subscribers. In memory for one process; in Redis across replicas (redis-bus.ts).
 */
export interface LiveBus {
  /** Deliver the topic's batches, from whichever replica polls it, until the returned function is called. */
  listen(topic: string, listener: (batch: LiveBatch) => void): Promise<() => Promise<void>>;
  /**
   * As the topic's poller: remember `cursor`, keep the events for replay and fan the batch out, all
   * only while `holder` still holds the lease. False (and nothing done) when it does not.
   */
  publish(topic: string, holder: string, batch: Omit<LiveBatch, 'subscribers'>, cursor: string): Promise<boolean>;
  /** Events after `afterId` still kept for replay, oldest first. */
  replay(topic: string, afterId: string): Promise<LiveEvent[]>;
  /** Take, or renew, the topic's poll lease for `holder`. */
  lead(topic: string, holder: string): Promise<boolean>;
  /** Give the lease up (another replica with subscribers takes over at once). */
  resign(topic: string, holder: string): Promise<void>;
  /** Where the topic's poll stands, null when nobody polled it within the replay window. */
  cursor(topic: string): Promise<string | null>;
  /** Topics being polled on every replica (the poll-interval floor divides the budget by it). */
  activeTopics(): Promise<number>;
  /** This replica holds `count` subscriptions to the topic. */
  subscribers(topic: string, replica: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export interface BusOptions {
  replayMs: number;
  leaseMs: number;
  /** Most events kept per topic for replay, whatever their age. */
  replayMaxEvents: number;
}

interface Kept {
  at: number;
  event: LiveEvent;
}

/** One process: every topic is polled here, and fan-out is a function call. */
export class MemoryBus implements LiveBus {
  private readonly listeners = new Map<string, Set<(b: LiveBatch) => void>>();
  private readonly leases = new Map<string, { holder: string; until: number }>();
  private readonly cursors = new Map<string, { cursor: string; until: number }>();
  private readonly logs = new Map<string, Kept[]>();
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly o: BusOptions) {}

  async listen(topic: string, listener: (batch: LiveBatch) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(topic);
    };
  }

  async publish(topic: string, holder: string, batch: Omit<LiveBatch, 'subscribers'>, cursor: string): Promise<boolean> {
    if (this.leases.get(topic)?.holder !== holder) return false;
    const now = Date.now();
    this.sweep(now);
    this.cursors.set(topic, { cursor, until: now + this.o.replayMs });
    if (batch.events.length === 0 && !batch.fault) return true;
    const log = this.live(topic, now);
    log.push(...batch.events.map((event) => ({ at: now, event })));
    if (log.length > this.o.replayMaxEvents) log.splice(0, log.length - this.o.replayMaxEvents);
    const subscribers = [...(this.counts.get(topic)?.values() ?? [])].reduce((a, b) => a + b, 0);
    for (const l of [...(this.listeners.get(topic) ?? [])]) l({ ...batch, subscribers });
    return true;
  }

  async replay(topic: string, afterId: string): Promise<LiveEvent[]> {
    const after = eventOrder(afterId);
    return this.live(topic, Date.now())
      .map((k) => k.event)
      .filter((e) => eventOrder(e.id) > after);
  }

  async lead(topic: string, holder: string): Promise<boolean> {
    const now = Date.now();
    const lease = this.leases.get(topic);
    if (lease && lease.until > now && lease.holder !== holder) return false;
    this.leases.set(topic, { holder, until: now + this.o.leaseMs });
    return true;
  }

  async resign(topic: string, holder: string): Promise<void> {
    if (this.leases.get(topic)?.holder === holder) this.leases.delete(topic);
  }

  async cursor(topic: string): Promise<string | null> {
    const c = this.cursors.get(topic);
    return c && c.until > Date.now() ? c.cursor : null;
  }

  async activeTopics(): Promise<number> {
    const now = Date.now();
    let n = 0;
    for (const l of this.leases.values()) if (l.until > now) n++;
    return n;
  }

  async subscribers(topic: string, replica: string, count: number): Promise<void> {
    let m = this.counts.get(topic);
    if (!m) {
      m = new Map();
      this.counts.set(topic, m);
    }
    if (count > 0) m.set(replica, count);
    else m.delete(replica);
    if (m.size === 0) this.counts.delete(topic);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Forget topics nobody polled within the replay window: their events and cursors can no longer be asked for. */
  private sweep(now: number): void {
    for (const [topic, c] of this.cursors) {
      if (c.until > now) continue;
      this.cursors.delete(topic);
      this.logs.delete(topic);
    }
  }

  /** The topic's kept events, those older than the replay window dropped. */
  private live(topic: string, now: number): Kept[] {
    let log = this.logs.get(topic);
    if (!log) {
      log = [];
      this.logs.set(topic, log);
    }
    const first = log.findIndex((k) => k.at > now - this.o.replayMs);
    if (first !== 0) log.splice(0, first < 0 ? log.length : first);
    return log;
  }
}
