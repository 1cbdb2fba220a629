import { request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { UpstreamError } from './errors.js';
import type { Metrics } from '../metrics.js';

export type HostName = 'primary' | 'fallback';

export interface Host {
  readonly name: HostName;
  readonly baseUrl: string;
  failures: number;
  /** Epoch ms until which the circuit is open (0 = closed). */
  openUntil: number;
}

export interface FailoverOptions {
  /** Consecutive host faults that open a host's circuit. */
  failureThreshold: number;
  /** How long an open host is skipped before one trial call is let through. */
  cooldownMs: number;
  /** How often an open primary is probed (without credentials) to come back early. */
  probeIntervalMs: number;
  probeTimeoutMs: number;
}

/**
 * The primary and fallback hosts with a circuit breaker each. Calls go to the primary while it is
 * healthy, to the fallback while the primary's circuit is open, and nowhere (fail fast) while both are.
 */
export class HostPool {
  readonly hosts: readonly [Host, Host];
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(
    primaryUrl: string,
    fallbackUrl: string,
    private readonly opts: FailoverOptions,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.hosts = [
      { name: 'primary', baseUrl: primaryUrl, failures: 0, openUntil: 0 },
      { name: 'fallback', baseUrl: fallbackUrl, failures: 0, openUntil: 0 },
    ];
  }

  /** The host for the next call; throws UPSTREAM_UNAVAILABLE while every circuit is open. */
  pick(now = Date.now()): Host {
    const ready = this.hosts.find((h) => h.openUntil <= now);
    if (ready) return ready;
    const soonest = Math.min(...this.hosts.map((h) => h.openUntil));
    throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr is unavailable (primary and fallback hosts are failing)', {
      retryAfter: Math.max(1, Math.ceil((soonest - now) / 1000)),
    });
  }

  success(host: Host): void {
    if (host.openUntil > 0) this.logger.info({ host: host.name }, 'upstream host healthy again; circuit closed');
    host.failures = 0;
    host.openUntil = 0;
    this.metrics.hostOpen.set({ host: host.name }, 0);
    if (host.name === 'primary') this.stopProbe();
  }

  failure(host: Host, now = Date.now()): void {
    host.failures++;
    if (host.failures < this.opts.failureThreshold) return;
    const wasOpen = host.openUntil > now;
    host.openUntil = now + this.opts.cooldownMs;
    this.metrics.hostOpen.set({ host: host.name }, 1);
    if (!wasOpen) this.logger.warn({ host: host.name, failures: host.failures }, 'upstream host failing; circuit opened');
    if (host.name === 'primary') this.startProbe();
  }

  /** Current state, for /healthz. */
  status(now = Date.now()): Record<HostName, 'closed' | 'open'> {
    const s = (h: Host) => (h.openUntil > now ? 'open' : 'closed');
    return { primary: s(this.hosts[0]), fallback: s(this.hosts[1]) };
  }

  close(): void {
    this.stopProbe();
  }

  private startProbe(): void {
    if (this.probeTimer) return;
    this.probeTimer = setInterval(() => void this.probe(), this.opts.probeIntervalMs);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** Any answer below 500 means the host is up; no credentials are sent, so no budget is spent. */
  private async probe(): Promise<void> {
    const primary = this.hosts[0];
    try {
      const res = await request(`${primary.baseUrl}/expired_jobs`, {
        method: 'GET',
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.opts.probeTimeoutMs),
      });
      await res.body.dump();
      if (res.statusCode < 500) this.success(primary);
    } catch {
      // still down; the next probe tries again
    }
  }
}
