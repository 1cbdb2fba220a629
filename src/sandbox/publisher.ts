import { generatePosting, type RawJobRecord } from './data.js';
import type { JobStore } from './store.js';

export interface PublisherOptions {
  store: JobStore;
  seed: number;
  /** New postings a minute on a timer; 0 = only when `publish` is called. */
  perMinute: number;
}

/**
 * JobsPikr crawls new jobs all the time; the sandbox does too, so that a live subscription has
 * something to show. Each posting's cursor is the current time in microseconds and larger than every
 * cursor before it (CONTRACT §2), so a client following a search with a remembered cursor sees it.
 */
export class Publisher {
  private next: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: PublisherOptions) {
    this.next = o.store.jobs.length;
    if (o.perMinute > 0) {
      this.timer = setInterval(() => this.publish(1), Math.max(1, Math.round(60_000 / o.perMinute)));
      this.timer.unref();
    }
  }

  /** Publish `count` new postings now; `overrides` replaces fields of each (tests aim postings at filters). */
  publish(count = 1, overrides: Partial<RawJobRecord> = {}): RawJobRecord[] {
    const jobs = this.o.store.jobs;
    const taken = new Set(jobs.map((j) => j.uniq_id));
    let cursor = Math.max(Date.now() * 1000, Number(jobs[jobs.length - 1]?.cursor ?? 0) + 1);
    const out: RawJobRecord[] = [];
    for (let i = 0; i < count; i++) {
      let posting = generatePosting(this.o.seed, this.next++, cursor++);
      while (taken.has(posting.uniq_id)) posting = generatePosting(this.o.seed, this.next++, cursor - 1);
      taken.add(posting.uniq_id);
      out.push({ ...posting, ...overrides, uniq_id: posting.uniq_id, cursor: posting.cursor });
    }
    this.o.store.append(out);
    return out;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
