import { request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { UpstreamError } from './errors.js';
import type { Metrics } from '../metrics.js';

export type HostName = 'primary' | 'fallback';
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface Host {
  readonly name: HostName;
  readonly baseUrl: string;
  /** Consecutive host faults. */
  failures: number;
  /** 0 = closed; otherwise open until this epoch ms, then half-open (one trial call at a time). */
  openUntil: number;
  /** A half-open trial call is in flight. */
  trial: boolean;
  /** Outcomes inside the failure-rate window (epoch ms, fault?). */
  recent: { at: number; fault: boolean }[];
}

/** How an attempt left the host: it answered sanely, it failed in a way that says it is unwell, or we can't tell. */
export type HostOutcome = 'up' | 'down' | 'unknown';

export interface FailoverOptions {
  /** Consecutive host faults that open a host's circuit. */
  failureThreshold: number;
  /** Also open when, within `windowMs`, at least `minCalls` calls ran and `ratio` of them were host faults. */
  failureRate?: { windowMs: number; minCalls: number; ratio: number } | undefined;
  /** How long an open host is skipped before one trial call is let through. */
  cooldownMs: number;
  /** How often an open primary is probed (without credentials) to come back early. */
  probeIntervalMs: number;
  probeTimeoutMs: number;
}

/**
 * The primary and fallback hosts with a circuit breaker each. Calls go to the primary while it is
 * healthy, to the fallback while the primary's circuit is open, and nowhere (fail fast) while both are.
 * An open host gets one trial call at a time once its cooldown ends or a background probe finds it up;
 * the trial's outcome closes or re-opens the circuit.
 */
export class HostPool {
  readonly hosts: readonly [Host, Host];
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    primaryUrl: string,
    fallbackUrl: string,
    private readonly opts: FailoverOptions,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    const host = (name: HostName, baseUrl: string): Host => ({ name, baseUrl, failures: 0, openUntil: 0, trial: false, recent: [] });
    this.hosts = [host('primary', primaryUrl), host('fallback', fallbackUrl)];
  }

  /** The host for the next call (settle it with `settle`); throws UPSTREAM_UNAVAILABLE while none may be tried. */
  pick(now = Date.now()): Host {
    for (const h of this.hosts) {
      if (h.openUntil === 0) return h;
      if (h.openUntil <= now && !h.trial) {
        h.trial = true;
        return h;
      }
    }
    const soonest = Math.min(...this.hosts.map((h) => h.openUntil));
    throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr is unavailable (primary and fallback hosts are failing)', {
      retryAfter: Math.max(1, Math.ceil((soonest - now) / 1000)),
      uncounted: true, // nothing was sent
    });
  }

  /** Whether a call could be tried now: false while both circuits are open (pick would fail fast). */
  available(now = Date.now()): boolean {
    return this.hosts.some((h) => h.openUntil === 0 || (h.openUntil <= now && !h.trial));
  }

  /** Record how an attempt on `host` ended. */
  settle(host: Host, outcome: HostOutcome, now = Date.now()): void {
    host.trial = false;
    if (outcome === 'unknown') return;
    this.remember(host, outcome === 'down', now);
    if (outcome === 'up') {
      if (host.openUntil > 0) this.logger.info({ host: host.name }, 'upstream host healthy again; circuit closed');
      host.failures = 0;
      host.openUntil = 0;
      this.metrics.hostOpen.set({ host: host.name }, 0);
      if (host.name === 'primary') this.stopProbe();
      return;
    }
    host.failures++;
    // A host already open (or on trial) re-opens at once; a closed one waits for the threshold.
    if (host.openUntil === 0 && host.failures < this.opts.failureThreshold && !this.rateExceeded(host)) return;
    if (host.openUntil === 0) this.logger.warn({ host: host.name, failures: host.failures }, 'upstream host failing; circuit opened');
    host.openUntil = now + this.opts.cooldownMs;
    this.metrics.hostOpen.set({ host: host.name }, 1);
    if (host.name === 'primary') this.startProbe();
  }

  /** Current state, for /healthz. */
  status(now = Date.now()): Record<HostName, CircuitState> {
    const s = (h: Host): CircuitState => (h.openUntil === 0 ? 'closed' : h.openUntil > now ? 'open' : 'half_open');
    return { primary: s(this.hosts[0]), fallback: s(this.hosts[1]) };
  }

  close(): void {
    this.stopProbe();
  }

  private remember(host: Host, fault: boolean, now: number): void {
    const rate = this.opts.failureRate;
    if (!rate) return;
    host.recent.push({ at: now, fault });
    const since = now - rate.windowMs;
    while (host.recent.length > 0 && (host.recent[0]?.at ?? now) < since) host.recent.shift();
  }

  private rateExceeded(host: Host): boolean {
    const rate = this.opts.failureRate;
    if (!rate || host.recent.length < rate.minCalls) return false;
    return host.recent.filter((o) => o.fault).length / host.recent.length >= rate.ratio;
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

  /**
   * Any answer below 500 means the host is up; no credentials are sent, so no budget is spent. A good
   * probe ends the cooldown (half-open) rather than closing outright: the next real call decides.
   */
  private async probe(): Promise<void> {
    const primary = this.hosts[0];
    if (this.probing || primary.openUntil === 0 || primary.openUntil <= Date.now()) return;
    this.probing = true;
    try {
      const res = await request(`${primary.baseUrl}/expired_jobs`, {
        method: 'GET',
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.opts.probeTimeoutMs),
      });
      await res.body.dump().catch(() => undefined);
      if (res.statusCode < 500 && primary.openUntil > Date.now()) {
        primary.openUntil = Date.now();
        this.logger.info({ host: primary.name }, 'upstream host answers probes again; next call is a trial');
      }
    } catch {
      // still down; the next probe tries again
    } finally {
      this.probing = false;
    }
  }
}
