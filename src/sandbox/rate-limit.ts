export interface WindowLimits {
  perMinute: number;
  perHour: number;
  minuteMs: number;
  hourMs: number;
}

/**
 * Rolling-window limiter (contract §5): a request is admitted when fewer than `perMinute` admitted requests
 * lie in the last `minuteMs` and fewer than `perHour` in the last `hourMs`. Only admitted requests are
 * recorded, so requests answered 429 never extend the wait. When refused, the wait is until enough of the
 * oldest requests in the full window(s) have left it.
 */
export class RollingWindow {
  private stamps: number[] = [];
  private head = 0;

  /** Records the request and returns 0, or returns the milliseconds until it would be admitted. */
  take(now: number, limits: WindowLimits): number {
    this.prune(now - limits.hourMs);
    const length = this.stamps.length;
    const inMinute = length - this.firstAfter(now - limits.minuteMs);
    const inHour = length - this.head;
    let wait = 0;
    if (inMinute >= limits.perMinute) wait = Math.max(wait, this.leaves(length - limits.perMinute, limits.minuteMs, now));
    if (inHour >= limits.perHour) wait = Math.max(wait, this.leaves(length - limits.perHour, limits.hourMs, now));
    if (wait > 0) return wait;
    this.stamps.push(now);
    return 0;
  }

  private leaves(position: number, windowMs: number, now: number): number {
    const stamp = this.stamps[Math.max(position, this.head)] ?? now;
    return Math.max(1, stamp + windowMs - now);
  }

  private firstAfter(since: number): number {
    let lo = this.head;
    let hi = this.stamps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.stamps[mid] ?? 0) > since) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private prune(since: number): void {
    this.head = this.firstAfter(since);
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }
}

/** One rolling window per (client id, endpoint group). */
export class RateLimiter {
  private readonly windows = new Map<string, RollingWindow>();

  /** 0 when admitted (and counted), else whole seconds to wait (>= 1) for a Retry-After header. */
  take(key: string, now: number, limits: WindowLimits): number {
    let window = this.windows.get(key);
    if (!window) {
      window = new RollingWindow();
      this.windows.set(key, window);
    }
    const waitMs = window.take(now, limits);
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  reset(): void {
    this.windows.clear();
  }
}
