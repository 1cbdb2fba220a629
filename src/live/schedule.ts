import type { WindowLimit } from '../budget/sliding-window.js';

export interface PollBounds {
  minMs: number;
  maxMs: number;
}

/** What the last poll found: new records, nothing new, or no budget for it. */
export type PollOutcome = 'news' | 'quiet' | 'tight';

/**
 * The wait before a topic's next poll. News: poll again soon (more may follow, and a full page means
 * more is waiting). Quiet or tight: double the wait, up to the maximum. Never under `floorMs`, the
 * interval at which every active topic together stays inside the live share of the budget.
 */
export function nextInterval(prevMs: number, outcome: PollOutcome, bounds: PollBounds, floorMs: number): number {
  const wanted = outcome === 'news' ? bounds.minMs : Math.max(bounds.minMs, prevMs * 2);
  return Math.min(bounds.maxMs, Math.max(wanted, floorMs, bounds.minMs));
}

/**
 * The shortest interval at which `topics` pollers, one call each per interval, use at most `share` of
 * every window: for each window, window length x topics / calls the share allows in it.
 */
export function budgetFloor(windows: readonly WindowLimit[], share: number, topics: number): number {
  let floor = 0;
  for (const w of windows) floor = Math.max(floor, Math.ceil((w.windowMs * Math.max(1, topics)) / Math.max(1, Math.floor(w.limit * share))));
  return floor;
}

/**
 * Whether the budget is tight for a background poll: what is left of a window is no more than the live
 * share of it, so a poll now would eat into what interactive calls are about to need.
 */
export function isTight(remaining: number, limit: number, share: number): boolean {
  return remaining <= Math.max(1, Math.floor(limit * share));
}
