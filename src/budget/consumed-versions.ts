import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { digest } from './keys.js';

/**
 * A version per JobsPikr client of "which jobs it has consumed": the expired list (/expired_jobs) is
 * of consumed jobs, so a list cached before the client bought an expired job is out of date. The
 * version is part of the expired list's cache key; buying a (maybe) expired record bumps it.
 */
export class ConsumedVersions {
  private readonly local = new Map<string, string>();

  constructor(private readonly o: { redis?: Redis | undefined; prefix: string; ttlMs: number }) {}

  async bump(clientHash: string): Promise<void> {
    const version = randomUUID();
    this.local.set(clientHash, version);
    await this.o.redis?.set(this.key(clientHash), version, 'PX', Math.max(this.o.ttlMs, 1)).catch(() => undefined);
  }

  /** Changes whenever this client received such records here or on a peer (the peer part only while Redis answers). */
  async current(clientHash: string): Promise<string> {
    const shared = this.o.redis ? await this.o.redis.get(this.key(clientHash)).catch(() => 'down') : null;
    return digest([shared, this.local.get(clientHash) ?? null]);
  }

  private key(clientHash: string): string {
    return `${this.o.prefix}consumed:${clientHash}`;
  }
}
