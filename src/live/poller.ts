import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { JobsService } from '../budget/jobs-service.js';
import type { RateGate } from '../budget/rate-gate.js';
import { OperationUsage } from '../budget/usage.js';
import type { CallBudget } from '../upstream/http.js';
import type { Credentials } from '../upstream/credentials.js';
import { isAppError } from '../errors.js';
import { UpstreamError } from '../upstream/errors.js';
import type { NormalizedFilter } from '../filter.js';
import type { JobRecord } from '../upstream/records.js';
import type { LiveBus } from './bus.js';
import type { LiveEvent, LiveFault } from './events.js';
import { budgetFloor, isTight, nextInterval, type PollOutcome } from './schedule.js';

export interface PollSettings {
  /** Most of each /data window polls may take. */
  share: number;
  minPollMs: number;
  maxPollMs: number;
  leaseMs: number;
}

export interface PollerDeps {
  bus: LiveBus;
  jobs: JobsService;
  gate: RateGate;
  logger: Logger;
  /** This replica's id in leases and subscriber counts. */
  replica: string;
  settings: PollSettings;
  /** Subscriptions this replica holds on the topic now. */
  localSubscribers(): number;
  /** A poll ran (counted for tests, metrics and the benchmark). */
  onPoll?(topic: string, records: number, credits: number): void;
}

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

/** Failures no later poll of this topic can get past: the subscriptions end with them. */
function faultOf(e: unknown): LiveFault | undefined {
  if (!isAppError(e)) return undefined;
  const refused = e instanceof UpstreamError && e.code === 'UPSTREAM_ERROR' && !e.hostFault && (e.httpStatus ?? 0) >= 400 && (e.httpStatus ?? 0) < 500;
  if (e.code === 'UNAUTHENTICATED' || e.code === 'CREDITS_EXHAUSTED' || e.code === 'BAD_USER_INPUT' || refused) return { code: e.code, message: e.message };
  return undefined;
}

/**
 * Follows one topic (a normalised filter under one key pair) for new records, on whichever replica
 * holds its lease: the same body each time with the remembered cursor (CONTRACT §2), so each record is
 * bought once. Every replica with subscribers runs one, but only the lease holder polls; the others
 * wait to take over. Polls are background calls inside the live share of the /data windows.
 */
export class TopicPoller {
  private stopped = false;
  private leading = false;
  private faulted = false;
  private cursor = '';
  private lastId = -1n;
  private intervalMs: number;
  private nextAt: number;
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly budget: CallBudget;

  constructor(
    readonly topic: string,
    private readonly filter: NormalizedFilter,
    private readonly credentials: Credentials,
    private readonly d: PollerDeps,
  ) {
    this.intervalMs = d.settings.minPollMs;
    this.nextAt = Date.now() + d.settings.minPollMs;
    // No queueing: a poll without a free slot inside its share is simply tight, and backs off.
    this.budget = { lane: 'background', shares: [{ key: 'live', share: d.settings.share }], maxWaitMs: 0 };
  }

  /** The wait before the next poll (ms), as adapted so far. */
  get interval(): number {
    return this.intervalMs;
  }

  start(): void {
    this.loop ??= this.run().catch((e: unknown) => this.d.logger.error({ err: e, topic: this.topic }, 'live poller stopped by an unexpected error'));
  }

  /** Stop polling and give the lease up, so a replica that still has subscribers takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
    await this.d.bus.subscribers(this.topic, this.d.replica, 0).catch(() => undefined);
    if (this.leading) await this.d.bus.resign(this.topic, this.d.replica).catch(() => undefined);
  }

  private async pause(ms: number): Promise<void> {
    await sleep(Math.max(1, ms), undefined, { signal: this.wake.signal }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const tick = Math.max(1, Math.floor(this.d.settings.leaseMs / 3));
    while (!this.stopped && !this.faulted) {
      await this.d.bus.subscribers(this.topic, this.d.replica, this.d.localSubscribers()).catch(() => undefined);
      const lead = await this.d.bus.lead(this.topic, this.d.replica).catch(() => false);
      if (this.stopped) break;
      if (!lead) {
        this.leading = false;
        await this.pause(tick);
        continue;
      }
      if (!this.leading) await this.takeOver();
      if (!this.leading) continue;
      const wait = this.nextAt - Date.now();
      if (wait > 0) {
        await this.pause(Math.min(wait, tick));
        continue;
      }
      const outcome = await this.withLease(tick, () => this.poll());
      const topics = await this.d.bus.activeTopics().catch(() => 1);
      const floor = budgetFloor(this.d.gate.windows('data'), this.d.settings.share, topics);
      this.intervalMs = nextInterval(this.intervalMs, outcome, { minMs: this.d.settings.minPollMs, maxMs: this.d.settings.maxPollMs }, floor);
      this.nextAt = Date.now() + this.intervalMs;
    }
  }

  /**
   * Now the poller: continue where the last one stopped, or (nobody polled lately) from now on, buying
   * nothing older. A new start is shared at once, so a replica taking over later continues from it.
   */
  private async takeOver(): Promise<void> {
    this.leading = true;
    const shared = await this.d.bus.cursor(this.topic).catch(() => null);
    this.cursor = shared ?? String(nowMicros());
    this.lastId = BigInt(this.cursor) - 1n;
    if (shared === null) this.leading = await this.d.bus.publish(this.topic, this.d.replica, { events: [], credits: 0 }, this.cursor).catch(() => false);
  }

  /** Keep the lease while `f` runs (an upstream call may outlast it): a poll in flight is never doubled by a peer. */
  private async withLease<T>(tick: number, f: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => {
      this.d.bus.lead(this.topic, this.d.replica).catch(() => false);
    }, tick);
    try {
      return await f();
    } finally {
      clearInterval(renew);
    }
  }

  private async tight(): Promise<boolean> {
    const data = (await this.d.gate.budgets(this.credentials)).find((b) => b.endpoint === 'data');
    if (!data) return false;
    const { share } = this.d.settings;
    return isTight(data.limitPerMinute - data.minute.used, data.limitPerMinute, share) || isTight(data.limitPerHour - data.hour.used, data.limitPerHour, share);
  }

  private async poll(): Promise<PollOutcome> {
    if (await this.tight().catch(() => false)) return 'tight';
    const op = { credentials: this.credentials, usage: new OperationUsage(this.credentials), signal: this.wake.signal, budget: this.budget };
    let records: JobRecord[];
    let next: string | null;
    try {
      const page = await this.d.jobs.follow({ filter: this.filter, cursor: this.cursor, op });
      records = page.records;
      next = page.nextCursor;
    } catch (e) {
      if (this.stopped) return 'quiet';
      const fault = faultOf(e);
      if (fault) {
        this.faulted = true;
        this.d.logger.warn({ topic: this.topic, code: fault.code }, 'live topic ended: its poll cannot succeed');
        await this.d.bus.publish(this.topic, this.d.replica, { events: [], credits: 0, fault }, this.cursor).catch(() => false);
        return 'quiet';
      }
      const code = isAppError(e) ? e.code : 'INTERNAL';
      if (code !== 'RATE_LIMITED') this.d.logger.warn({ topic: this.topic, code }, 'live poll failed; backing off');
      return code === 'RATE_LIMITED' ? 'tight' : 'quiet';
    }
    const events = this.toEvents(records);
    const lastCursor = records.at(-1)?.cursor;
    // CONTRACT §2: the next_cursor, or the last record's cursor + 1 where the last page carried none.
    const cursor = next ?? (lastCursor && /^\d+$/.test(lastCursor) ? String(BigInt(lastCursor) + 1n) : this.cursor);
    const credits = op.usage.creditsCharged;
    this.d.onPoll?.(this.topic, records.length, credits);
    const published = await this.d.bus.publish(this.topic, this.d.replica, { events, credits }, cursor).catch(() => false);
    if (!published) {
      this.leading = false;
      return 'quiet';
    }
    this.cursor = cursor;
    return events.length > 0 ? 'news' : 'quiet';
  }

  /** Ids are cursors; a record without a readable one (messy data) takes the next id after the last. */
  private toEvents(records: readonly JobRecord[]): LiveEvent[] {
    const out: LiveEvent[] = [];
    for (const record of records) {
      const c = record.cursor && /^\d+$/.test(record.cursor) ? BigInt(record.cursor) : this.lastId + 1n;
      if (c <= this.lastId) continue;
      this.lastId = c;
      out.push({ id: String(c), record });
    }
    return out;
  }
}
