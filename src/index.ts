import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, terminalDestination } from './logger.js';
import { createHttpServer } from './http-server.js';
import { createShutdown } from './ops/shutdown.js';
import { startTracing } from './telemetry/tracing.js';
import type { Sandbox } from './sandbox/server.js';
import type { Credentials } from './upstream/credentials.js';

/**
 * With Redis configured, wait (at most `maxMs`) until the shared rate budget answers before taking
 * traffic, so the first calls draw from the budget every replica sees; past the bound the server
 * starts anyway on its conservative local share and joins when Redis answers.
 */
async function awaitSharedBudget(app: App, logger: Logger, maxMs: number): Promise<void> {
  const t0 = Date.now();
  logger.info({ maxMs }, 'waiting for the shared rate budget (Redis) before listening');
  const timer = new AbortController();
  const ready = await Promise.race([app.gate.whenShared().then(() => true), sleep(maxMs, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  if (ready) logger.info({ ms: Date.now() - t0 }, 'shared rate budget ready');
  else logger.warn({ ms: Date.now() - t0 }, 'shared rate budget not reachable yet; listening on a conservative local share until it is');
}

// Composition root: the only module that reads process.env, listens or exits.
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.log.level, process.stdout.isTTY ? await terminalDestination() : undefined);
  let sandbox: Sandbox | undefined;
  let serverKeys: Credentials | undefined;
  if (config.useSandbox) {
    // Loaded only when it runs: a deployment with keys never imports the simulator.
    const { startSandbox } = await import('./sandbox/server.js');
    sandbox = await startSandbox({ postingsPerMinute: config.sandbox.postingsPerMinute });
    config = { ...config, upstream: { ...config.upstream, baseUrl: sandbox.url, fallbackBaseUrl: sandbox.fallbackUrl } };
    serverKeys = { clientId: sandbox.keys.sandbox.clientId, authKey: sandbox.keys.sandbox.authKey, scheme: 'headers' };
    logger.info({ sandbox: sandbox.url, clientId: serverKeys.clientId }, 'no JobsPikr keys set: serving the embedded JobsPikr sandbox (free, generated data)');
  } else if (config.serverKeys) {
    serverKeys = config.serverKeys;
    logger.info({ upstream: config.upstream.baseUrl }, 'using the configured JobsPikr keys');
  } else {
    // Multi-tenant: the server's own keys (if any are configured) are never spent on a caller's behalf.
    logger.info({ upstream: config.upstream.baseUrl }, 'multi-tenant mode: every request must bring its own JobsPikr keys');
  }

  // Before the app: the hooks in the request path see a registered tracer from the first request on.
  const tracing = await startTracing(config.tracing, logger);
  const app = createApp({ config, logger, serverKeys, tracing: tracing !== undefined });
  if (config.redis.url) await awaitSharedBudget(app, logger, config.redis.startupWaitMs);
  const http = createHttpServer(app.yoga, config.http);
  http.listen(config.http.port, config.http.host, () => {
    logger.info(`GraphiQL on http://localhost:${config.http.port}/graphql`);
  });

  const stop = createShutdown({
    server: http,
    readiness: app.readiness,
    logger,
    ...config.shutdown,
    close: async () => {
      await Promise.all([app.close(), sandbox?.close()]);
      await tracing?.shutdown();
    },
  });
  const onSignal = (signal: string) => {
    // Past the grace (and a little for closing pools) the process ends whatever still hangs.
    setTimeout(() => process.exit(1), config.shutdown.delayMs + config.shutdown.graceMs + 5_000).unref();
    void stop(signal).then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
