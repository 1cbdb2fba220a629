// One benchmark server process, bundled like the production build and started as `node <bundle>` (one killable pid).
//   BENCH_ROLE=sandbox: the JobsPikr simulator. BENCH_LIMITS=contract|unlimited, BENCH_DELAY_MS,
//                       BENCH_MINUTE_MS / BENCH_HOUR_MS (rate windows, shrunk for time-compressed runs),
//                       BENCH_PRODUCTION_CREDITS (starting credits of the production key).
//   BENCH_ROLE=floor:   the minimal Node pass-through (bench/floor.ts) over BENCH_FLOOR_DATA_URL, with
//                       BENCH_FLOOR_HEADERS (JSON) and BENCH_FLOOR_TEMPLATE (upstream body, `@FLOOR@`);
//                       BENCH_FLOOR_KIND=yoga puts graphql-yoga in front of the same call.
//   BENCH_ROLE=app:     the GraphQL server over JOBSPIKR_BASE_URL with JOBSPIKR_CLIENT_ID/_AUTH_KEY
//                       (any other env as in production). BENCH_LIMITS=unlimited lifts the client-side
//                       rate gate so throughput runs measure the layer, not the contract's 100 calls/min.
// It reports `ready` and answers stats commands over IPC (bench/protocol.ts); it listens on a free port.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.js';
import { startFloor } from './floor.js';
import { loadConfig } from '../src/config.js';
import { createHttpServer } from '../src/http-server.js';
import { createLogger } from '../src/logger.js';
import { DEFAULT_LIMITS, startSandbox, type Sandbox } from '../src/sandbox/server.js';
import type { Command, ProcessStats, Ready, Reply, UpstreamStats } from './protocol.js';

const UNLIMITED = 1_000_000_000;

function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    externalBytes: mem.external,
  };
}

function upstreamStats(sandbox: Sandbox): UpstreamStats {
  const calls = { data: 0, expired_jobs: 0, aggregate_data: 0, other: 0 };
  const statuses: Record<string, number> = {};
  let records = 0;
  for (const e of sandbox.log) {
    calls[e.endpoint]++;
    statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    records += e.records;
  }
  return { calls, statuses, records };
}

function send(message: Ready | Reply): void {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

async function main(): Promise<void> {
  const env = process.env;
  const unlimited = env.BENCH_LIMITS === 'unlimited';
  let sandbox: Sandbox | undefined;
  let close: () => Promise<void>;

  if (env.BENCH_ROLE === 'sandbox') {
    sandbox = await startSandbox({
      delayMs: Number(env.BENCH_DELAY_MS ?? 0),
      limits: unlimited ? { dataPerMinute: UNLIMITED, dataPerHour: UNLIMITED, aggregatePerMinute: UNLIMITED, aggregatePerHour: UNLIMITED } : DEFAULT_LIMITS,
      ...(env.BENCH_JOB_COUNT && { jobCount: Number(env.BENCH_JOB_COUNT) }),
      ...(env.BENCH_MINUTE_MS && { minuteMs: Number(env.BENCH_MINUTE_MS) }),
      ...(env.BENCH_HOUR_MS && { hourMs: Number(env.BENCH_HOUR_MS) }),
      ...(env.BENCH_PRODUCTION_CREDITS && { productionCredits: Number(env.BENCH_PRODUCTION_CREDITS) }),
    });
    const s = sandbox;
    close = () => s.close();
    send({ type: 'ready', role: 'sandbox', url: s.url, fallbackUrl: s.fallbackUrl, keys: s.keys });
  } else if (env.BENCH_ROLE === 'floor') {
    const floor = await startFloor({
      dataUrl: env.BENCH_FLOOR_DATA_URL ?? '',
      headers: JSON.parse(env.BENCH_FLOOR_HEADERS ?? '{}') as Record<string, string>,
      template: env.BENCH_FLOOR_TEMPLATE ?? '',
      kind: env.BENCH_FLOOR_KIND === 'yoga' ? 'yoga' : 'raw',
    });
    close = () => floor.close();
    send({ type: 'ready', role: 'floor', url: floor.url });
  } else {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '30000',
      // Limits lifted, the gate still logs every call in both windows; an hour window would hold an hour
      // of this load's tens of thousands of calls (~100 bytes each), which no key can make under the
      // contract (5,000 an hour). A one-minute "hour" keeps the gate's work per call and drops that.
      ...(unlimited && { RATE_WINDOW_HOUR_MS: '60000' }),
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const { serverKeys } = config;
    const big = { perMinute: UNLIMITED, perHour: UNLIMITED };
    const app = createApp({
      config,
      logger: createLogger(config.log.level),
      serverKeys,
      ...(unlimited && { limits: { data: big, expired_jobs: big, aggregate_data: big } }),
    });
    // the production HTTP server (host check, timeouts, connection cap) with its configured settings
    const http = createHttpServer(app.yoga, config.http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    close = async () => {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await app.close();
    };
    send({ type: 'ready', role: 'app', url: `http://127.0.0.1:${port}/graphql` });
  }

  let profiler: Session | undefined;
  process.on('message', async (m: Command & { id: number }) => {
    if (m.cmd === 'gc') (globalThis as { gc?: () => void }).gc?.();
    if (m.cmd === 'profileStart') {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
    } else if (m.cmd === 'heapProfileStart') {
      profiler = new Session();
      profiler.connect();
      // Every allocation counts, not only what is still alive at the end: garbage is what the GC pays for.
      await profiler.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else if (m.cmd === 'heapProfileStop' && profiler) {
      const { profile } = await profiler.post('HeapProfiler.stopSampling');
      writeFileSync(m.file, JSON.stringify(profile));
      profiler.disconnect();
      profiler = undefined;
    } else if (m.cmd === 'profileStop' && profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(m.file, JSON.stringify(profile));
      profiler.disconnect();
      profiler = undefined;
    }
    const reply: Reply = { type: 'reply', id: m.id, process: processStats() };
    if (sandbox) {
      // stats first, so a clearLog reply tells what the log held
      reply.upstream = upstreamStats(sandbox);
      if (m.cmd === 'clearLog') sandbox.clearLog();
      else if (m.cmd === 'setDelay') sandbox.setDelay(m.ms);
      else if (m.cmd === 'reset') sandbox.reset();
      else if (m.cmd === 'lastBodies') reply.bodies = sandbox.log.slice(-m.n).map((e) => e.body);
      else if (m.cmd === 'ledger') {
        reply.ledger = {
          creditsRemaining: sandbox.creditsRemaining(sandbox.keys.production.clientId),
          log: sandbox.log.map(({ method: _method, ...entry }) => entry),
        };
      }
    }
    send(reply);
  });
  const stop = () => void close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
