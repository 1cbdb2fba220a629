import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Readiness } from './readiness.js';

export interface ShutdownOptions {
  server: Server;
  readiness: Readiness;
  logger: Logger;
  /** How long /readyz says 503 while the listener still accepts, so load balancers stop sending first. */
  delayMs: number;
  /** Longest the whole shutdown waits for in-flight requests (from the signal on); then they are cut. */
  graceMs: number;
  /** Close pools, Redis, the sandbox, flush traces: runs once no request is left. */
  close: () => Promise<void>;
}

/**
 * Counts requests in flight on `server` and returns the graceful stop: /readyz turns 503 at once,
 * the listener closes after `delayMs`, in-flight requests finish (bounded by `graceMs`), then `close`.
 * While draining, responses carry `Connection: close` so keep-alive clients reconnect elsewhere.
 */
export function createShutdown(o: ShutdownOptions): (signal: string) => Promise<void> {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  o.server.on('request', (_req, res) => {
    inFlight++;
    if (o.readiness.isDraining) res.shouldKeepAlive = false;
    res.once('close', () => {
      if (--inFlight === 0) idle?.();
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = async (signal: string): Promise<void> => {
    const started = Date.now();
    o.readiness.drain();
    o.logger.info({ signal, inFlight }, 'shutting down');
    if (o.delayMs > 0) await sleep(o.delayMs);
    o.server.close();
    o.server.closeIdleConnections();
    const left = Math.max(0, o.graceMs - (Date.now() - started));
    const timer = new AbortController();
    const drained =
      inFlight === 0 ||
      (await Promise.race([new Promise<boolean>((resolve) => (idle = () => resolve(true))), sleep(left, false, { signal: timer.signal }).catch(() => false)]));
    timer.abort();
    if (!drained) {
      o.logger.warn({ cut: inFlight, graceMs: o.graceMs }, 'shutdown grace is over: cutting the requests still in flight');
      o.server.closeAllConnections();
    } else {
      o.logger.info({ ms: Date.now() - started }, 'in-flight requests finished');
    }
    await o.close();
    o.logger.info('stopped');
  };
  return (signal) => (stopping ??= stop(signal));
}
