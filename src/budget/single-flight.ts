interface Flight {
  promise: Promise<unknown>;
  controller: AbortController;
  /** Callers still waiting for the result. */
  waiting: number;
}

/**
 * Identical calls in flight at once are made once: later callers join the first one's promise.
 * Keys are normalised requests (see jobs-service.ts), so filter order and case don't split them.
 * The shared call runs under its own signal, aborted only when every caller has gone away: one
 * browser closing its tab does not fail the others. That abort cancels only what has not left yet
 * (a call queued for rate budget); a charged call already sent runs on to its deadline and is
 * charged, cached and recorded (upstream/http.ts), since the upstream charges on arrival.
 */
export class SingleFlight {
  private readonly inflight = new Map<string, Flight>();

  /** `joined` is true when this caller did not start the call itself. */
  async run<T>(key: string, signal: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; joined: boolean }> {
    signal?.throwIfAborted();
    let flight = this.inflight.get(key);
    const joined = flight !== undefined;
    if (!flight) {
      const controller = new AbortController();
      const started: Flight = { controller, waiting: 0, promise: Promise.resolve() };
      started.promise = fn(controller.signal).finally(() => {
        if (this.inflight.get(key) === started) this.inflight.delete(key);
      });
      // Every caller may have left; the outcome is then nobody's to handle.
      started.promise.catch(() => undefined);
      this.inflight.set(key, started);
      flight = started;
    }
    const f = flight;
    f.waiting++;
    if (!signal) return { value: (await f.promise) as T, joined };
    let leave: (() => void) | undefined;
    const left = new Promise<never>((_, reject) => {
      leave = () => {
        if (--f.waiting === 0) f.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
    });
    try {
      return { value: (await Promise.race([f.promise, left])) as T, joined };
    } finally {
      if (leave) signal.removeEventListener('abort', leave);
    }
  }

  /** Whether a call under `key` is in flight now. */
  has(key: string): boolean {
    return this.inflight.has(key);
  }

  get size(): number {
    return this.inflight.size;
  }
}
