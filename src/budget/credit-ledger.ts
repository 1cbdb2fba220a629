import type { Redis } from 'ioredis';
import type { Metrics } from '../metrics.js';
import { clientHash, type Credentials } from '../upstream/credentials.js';

export interface CreditBalance {
  /** Credits this deployment spent under the client id. */
  used: number;
  /** The last balance JobsPikr reported (`job_credit_remaining`); null when never seen. */
  remaining: number | null;
}

/**
 * What this deployment spent per JobsPikr client, and the balance the upstream last reported. Kept in
 * Redis when configured (every replica adds to one count), in this process otherwise; keyed by a hash
 * of the client id.
 */
export class CreditLedger {
  private readonly used = new Map<string, number>();
  private readonly left = new Map<string, number>();

  constructor(private readonly o: { redis?: Redis | undefined; prefix: string; metrics: Metrics }) {}

  async charge(c: Credentials, credits: number): Promise<void> {
    if (credits === 0) return;
    const ch = clientHash(c);
    this.used.set(ch, (this.used.get(ch) ?? 0) + credits);
    this.o.metrics.creditsCharged.inc(credits);
    await this.o.redis?.incrby(this.key('used', ch), credits).catch(() => 0);
  }

  /** The balance JobsPikr reported with a call. */
  async note(c: Credentials, creditsRemaining: number): Promise<void> {
    const ch = clientHash(c);
    this.left.set(ch, creditsRemaining);
    await this.o.redis?.set(this.key('left', ch), String(creditsRemaining)).catch(() => 0);
  }

  async read(c: Credentials): Promise<CreditBalance> {
    const ch = clientHash(c);
    if (this.o.redis) {
      try {
        const [used, left] = await this.o.redis.mget(this.key('used', ch), this.key('left', ch));
        return { used: Number(used ?? 0), remaining: left === null || left === undefined ? null : Number(left) };
      } catch {
        // Redis away: what this process knows.
      }
    }
    return { used: this.used.get(ch) ?? 0, remaining: this.left.get(ch) ?? null };
  }

  private key(kind: 'used' | 'left', ch: string): string {
    return `${this.o.prefix}credits:${kind}:${ch}`;
  }
}
