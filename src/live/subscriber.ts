import { AppError } from '../errors.js';
import { eventOrder, type LiveEvent } from './events.js';

/** What a subscription yields: a job, or the failure that ends it (thrown by the field's resolver). */
export type LiveItem = LiveEvent | { failure: AppError };

export const isFailure = (i: LiveItem): i is { failure: AppError } => 'failure' in i;

export interface SubscriberInfo {
  caller: string;
  connection: string;
  /** Called once when the subscriber is cut off for not reading (the transport may drop the connection). */
  onCutOff?: (() => void) | undefined;
}

/**
 * One subscription's queue. Events arrive in id order from replay and fan-out, and each is delivered
 * once (ids at or below the last one queued are dropped). A subscriber that lets `bound` events pile up
 * is cut off: its queue is emptied and it gets SLOW_CONSUMER as its last item, so a reader that stopped
 * reading never grows the server's memory.
 */
export class Subscriber implements AsyncIterableIterator<LiveItem> {
  private queue: LiveItem[] = [];
  private last: bigint;
  private wake: (() => void) | undefined;
  private ending = false;
  private closed = false;
  private readonly closers: (() => void)[] = [];
  /** Live events that arrived while the replay was being read: delivered after it, in order. */
  private held: LiveEvent[][] | undefined;

  constructor(
    readonly info: SubscriberInfo,
    private readonly bound: number,
    lastEventId: string | null,
  ) {
    this.last = lastEventId === null ? -1n : eventOrder(lastEventId);
    if (lastEventId !== null) this.held = [];
  }

  /** The missed events (replay) first, then what fan-out brought meanwhile. */
  resume(replayed: readonly LiveEvent[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.push(replayed);
    for (const events of held) this.push(events);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Run `f` once when the subscription ends for any reason. */
  onClose(f: () => void): void {
    if (this.closed) f();
    else this.closers.push(f);
  }

  push(events: readonly LiveEvent[]): void {
    if (this.ending) return;
    if (this.held) {
      this.held.push([...events]);
      return;
    }
    for (const e of events) {
      const order = eventOrder(e.id);
      if (order <= this.last) continue;
      if (this.queue.length >= this.bound) {
        this.fail(
          new AppError(
            'SLOW_CONSUMER',
            `This subscription stopped reading: more than ${this.bound} events were waiting for it. Reconnect with Last-Event-ID to resume`,
            {
              details: { bound: this.bound, lastEventId: this.lastQueuedBefore() },
            },
          ),
        );
        this.info.onCutOff?.();
        return;
      }
      this.last = order;
      this.queue.push(e);
    }
    this.wake?.();
  }

  /** End with `error` as the last item; what was queued is dropped (the client resumes with Last-Event-ID). */
  fail(error: AppError): void {
    if (this.ending) return;
    this.queue = [{ failure: error }];
    this.ending = true;
    this.wake?.();
  }

  async next(): Promise<IteratorResult<LiveItem>> {
    for (;;) {
      const item = this.queue.shift();
      if (item) return { done: false, value: item };
      if (this.ending || this.closed) {
        this.close();
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<LiveItem>> {
    this.close();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stop: the hub forgets this subscriber, and a waiting `next` ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.wake?.();
    for (const f of this.closers.splice(0)) f();
  }

  /** The id before the first event still queued: where a cut-off client resumes. */
  private lastQueuedBefore(): string | null {
    const first = this.queue.find((i): i is LiveEvent => !isFailure(i));
    return first ? String(eventOrder(first.id) - 1n) : this.last < 0n ? null : String(this.last);
  }
}
