/**
 * A check an operation passes once, before its first upstream call: the caller's quota reservation.
 * An operation served wholly from cache never runs it, so a cache hit costs no quota work (nor a
 * Redis round trip). Every upstream call of the operation waits on the same outcome.
 */
export class Admission {
  private check: (() => Promise<void>) | undefined;
  private outcome: Promise<void> | undefined;

  /** Set the check (by the quota plugin, before execution). */
  arm(check: () => Promise<void>): void {
    this.check = check;
  }

  get passed(): boolean {
    return this.outcome !== undefined;
  }

  /** Resolves when the operation may call upstream; rejects with the refusal (QUOTA_EXCEEDED) when it may not. */
  pass(): Promise<void> {
    if (!this.check) return Promise.resolve();
    this.outcome ??= this.check();
    return this.outcome;
  }
}
