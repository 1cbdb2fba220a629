import type { Redis } from 'ioredis';
import { request, type Dispatcher } from 'undici';

/** What /readyz answers: ready, or the reasons it is not (never a URL, key or upstream body). */
export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  checks: { upstream: 'ok' | 'down'; redis?: 'ok' | 'down' };
  reasons: string[];
}

export interface ReadinessOptions {
  /** The JobsPikr hosts (or the embedded sandbox's): one answering is enough to serve. */
  hosts: readonly { name: string; baseUrl: string }[];
  dispatcher: Dispatcher;
  redis?: Redis | undefined;
  probeTimeoutMs: number;
  /** A report is reused this long: a flood of /readyz requests does not become a flood of probes. */
  cacheMs: number;
}

type ProbeOutcome = 'ok' | 'timeout' | 'unreachable' | `status ${number}`;

/**
 * Readiness for a load balancer: the upstream answers a probe (any status below 500, no credentials
 * sent, so no budget spent) and, with Redis configured, Redis answers PING. `drain()` (SIGTERM) turns
 * it to 503 at once and for good.
 */
export class Readiness {
  private draining = false;
  private cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  constructor(private readonly o: ReadinessOptions) {}

  /** From now on every report is `draining` (503), whatever the checks say. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.o.cacheMs) this.cached = { at: now, report: this.check() };
    const r = await this.cached.report;
    return this.draining ? { ...r, status: 'draining', reasons: ['shutting down', ...r.reasons] } : r;
  }

  private async check(): Promise<ReadinessReport> {
    const [probes, redis] = await Promise.all([Promise.all(this.o.hosts.map((h) => this.probe(h.baseUrl))), this.pingRedis()]);
    const reasons: string[] = [];
    const upstreamUp = probes.includes('ok');
    if (!upstreamUp) reasons.push(`upstream: no JobsPikr host answers (${this.o.hosts.map((h, i) => `${h.name}: ${probes[i]}`).join(', ')})`);
    if (redis !== undefined && redis !== 'ok') reasons.push(`redis: ${redis}`);
    return {
      status: reasons.length === 0 ? 'ready' : 'not_ready',
      checks: { upstream: upstreamUp ? 'ok' : 'down', ...(redis !== undefined && { redis: redis === 'ok' ? 'ok' : 'down' }) },
      reasons,
    };
  }

  private async probe(baseUrl: string): Promise<ProbeOutcome> {
    try {
      const res = await request(`${baseUrl}/expired_jobs`, {
        method: 'GET',
        dispatcher: this.o.dispatcher,
        signal: AbortSignal.timeout(this.o.probeTimeoutMs),
      });
      await res.body.dump().catch(() => undefined);
      return res.statusCode < 500 ? 'ok' : `status ${res.statusCode}`;
    } catch (e) {
      return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError') ? 'timeout' : 'unreachable';
    }
  }

  private async pingRedis(): Promise<'ok' | 'not connected' | 'no answer to PING' | undefined> {
    const redis = this.o.redis;
    if (!redis) return undefined;
    if (redis.status !== 'ready') return 'not connected';
    try {
      return (await redis.ping()) === 'PONG' ? 'ok' : 'no answer to PING';
    } catch {
      return 'no answer to PING';
    }
  }
}
