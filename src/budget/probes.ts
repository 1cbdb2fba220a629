// The one-call-per-unaccepted-pair rule of the read-through path (read-through.ts), kept apart from
// the flight mechanics so the gate's check-and-claim stays small enough to read as one step.

/** Resolves when `p` settles, or rejects when `signal` aborts first (the waiter's client left). */
function settled(p: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  const done = p.then(
    () => undefined,
    () => undefined,
  );
  if (!signal) return done;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const leave = () => reject(signal.reason);
    signal.addEventListener('abort', leave, { once: true });
    void done.then(() => {
      signal.removeEventListener('abort', leave);
      resolve();
    });
  });
}

export interface ProbeRun<T> {
  /** keyHash of the pair. */
  pair: string;
  signal?: AbortSignal | undefined;
  /** Whether the upstream has accepted the pair by now. */
  accepted: () => Promise<boolean>;
  /** The call as an accepted pair, once another's probe has won acceptance. */
  asAccepted: () => Promise<T>;
  /** The call as the pair's probe. */
  asProbe: () => Promise<T>;
}

/**
 * One call in flight per unaccepted pair: later calls of the pair wait for it, then go on as an
 * accepted pair (the pool, the cache of what others bought) or become the next probe. The check
 * and the claim of the slot are one synchronous step, so two waiters never both probe.
 */
export class Probes {
  /** keyHash → the call an unaccepted pair has in flight (its probe). */
  private readonly probes = new Map<string, Promise<unknown>>();

  async run<T>(r: ProbeRun<T>): Promise<T> {
    const kh = r.pair;
    for (let p = this.probes.get(kh); p; p = this.probes.get(kh)) {
      await settled(p, r.signal);
      // Accepted now: the pool's budget, but still the pair's own flight key, so it meets the calls
      // its pair started before acceptance (here or on a peer) instead of making them again.
      if (await r.accepted()) return r.asAccepted();
    }
    const mine = r.asProbe();
    this.probes.set(kh, mine);
    try {
      return await mine;
    } finally {
      if (this.probes.get(kh) === mine) this.probes.delete(kh);
    }
  }
}
