/**
 * Identical calls in flight at once are made once: later callers join the first one's promise.
 * Keys are normalised requests (see jobs-service.ts), so filter order and case don't split them.
 */
export class SingleFlight {
  private readonly inflight = new Map<string, Promise<unknown>>();

  /** `joined` is true when this caller did not make the call itself. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<{ value: T; joined: boolean }> {
    const existing = this.inflight.get(key);
    if (existing) return { value: (await existing) as T, joined: true };
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return { value: await p, joined: false };
  }

  get size(): number {
    return this.inflight.size;
  }
}
