import type { Credentials } from '../upstream/credentials.js';
import { isSandboxKey } from '../upstream/credentials.js';
import { StaleAnswers } from './stale.js';

/** What one GraphQL operation cost; reported in `extensions.jobspikr`. */
export class OperationUsage {
  creditsCharged = 0;
  creditsSavedByCache = 0;
  creditsRemaining: number | null = null;
  upstreamCalls = 0;
  /** The operation's worst-case credits as read before execution (plugins/use-budget.ts); null until then. */
  worstCaseCredits: number | null = null;
  /** Fields answered from data past its lifetime (stale-if-error). */
  readonly stale = new StaleAnswers();
  /** Cache lookups of this operation by result (the operation log's cache outcome). */
  readonly lookups = { hit: 0, miss: 0, coalesced: 0 };

  constructor(readonly credentials: Credentials) {}

  get sandbox(): boolean {
    return isSandboxKey(this.credentials);
  }

  /** Records bought from the upstream: a credit each under a production key. */
  charged(records: number): number {
    const cost = this.sandbox ? 0 : records;
    this.creditsCharged += cost;
    return cost;
  }

  /** Records served from cache that would otherwise have been bought. */
  saved(records: number): void {
    if (!this.sandbox) this.creditsSavedByCache += records;
  }

  toJSON() {
    const stale = this.stale.toJSON();
    return {
      creditsCharged: this.creditsCharged,
      creditsSavedByCache: this.creditsSavedByCache,
      creditsRemaining: this.creditsRemaining,
      upstreamCalls: this.upstreamCalls,
      ...(stale && { stale }),
    };
  }
}
