import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { isAppError } from '../errors.js';

/** Codes of a fresh call's failure that data past its lifetime may answer instead (SURFACE.md, second release). */
export const STALE_REASONS = ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'RATE_LIMITED', 'CREDITS_EXHAUSTED', 'QUOTA_EXCEEDED'] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

const reasons: ReadonlySet<string> = new Set(STALE_REASONS);

/** The reason stale data may stand in for this failure, or undefined when it may not (bad input, wrong keys, a crash). */
export const staleReason = (e: unknown): StaleReason | undefined => (isAppError(e) && reasons.has(e.code) ? (e.code as StaleReason) : undefined);

/** One field answered from data past its lifetime, as `extensions.jobspikr.stale` lists it. */
export interface StaleNote {
  path: (string | number)[];
  ageSeconds: number;
  reason: StaleReason;
}

/** How a value was answered stale: its age, the reason, and how far past its lifetime (for Cache-Status). */
export interface StaleMark {
  ageSeconds: number;
  reason: StaleReason;
  pastLifetimeSeconds: number;
}

/**
 * One operation's stale answers. The budget layer marks each value it answers stale (a page, a count
 * result, a record); the resolver that returns the value names its path. Values are matched by
 * identity, so a record answered fresh elsewhere in the same operation is not flagged.
 */
export class StaleAnswers {
  private readonly marks = new WeakMap<object, StaleMark>();
  private readonly pending = new Set<object>();
  private readonly byPath = new Map<string, StaleNote & { pastLifetimeSeconds: number }>();
  /** `x-max-stale`: the oldest data, in seconds, the client accepts; undefined = whatever the server keeps. */
  maxAgeSeconds: number | undefined;

  /** Whether data stored at `storedAt` is young enough for this client. */
  accepts(storedAt: number, now = Date.now()): boolean {
    return this.maxAgeSeconds === undefined || (now - storedAt) / 1000 <= this.maxAgeSeconds;
  }

  mark(value: object, storedAt: number, freshUntil: number, reason: StaleReason, now = Date.now()): StaleMark {
    const m = { ageSeconds: Math.max(0, Math.floor((now - storedAt) / 1000)), reason, pastLifetimeSeconds: Math.max(0, Math.ceil((now - freshUntil) / 1000)) };
    this.marks.set(value, m);
    this.pending.add(value);
    return m;
  }

  /** The resolver at `info`'s path returned `value`: note it if it was answered stale. */
  at(value: unknown, info: Pick<GraphQLResolveInfo, 'path'>, index?: number): void {
    if (typeof value !== 'object' || value === null) return;
    const m = this.marks.get(value);
    if (!m) return;
    this.pending.delete(value);
    const path = responsePathAsArray(info.path);
    if (index !== undefined) path.push(index);
    this.byPath.set(path.join('.'), { path, ...m });
  }

  /** `extensions.jobspikr.stale`: undefined when everything was fresh. */
  toJSON(): StaleNote[] | undefined {
    // A stale value no resolver named (it reached the client another way) is still flagged, at the operation's root.
    for (const v of this.pending) {
      const m = this.marks.get(v);
      if (m) this.byPath.set(`?${this.byPath.size}`, { path: [], ...m });
    }
    this.pending.clear();
    if (this.byPath.size === 0) return undefined;
    return [...this.byPath.values()].map(({ path, ageSeconds, reason }) => ({ path, ageSeconds, reason }));
  }

  /** The worst stale answer: the one furthest past its lifetime (for the Cache-Status header). */
  worst(): StaleMark | undefined {
    let w: StaleMark | undefined;
    for (const n of this.byPath.values()) if (!w || n.pastLifetimeSeconds > w.pastLifetimeSeconds) w = n;
    return w;
  }
}
