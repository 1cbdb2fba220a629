// One scenario of the throughput pair on its own, for profiling and quick A/B comparisons:
//   npx tsx bench/profile.ts [uncached|cached|typename|direct|floor|yogafloor|latency1|latency20] [seconds]
// prints req/s and CPU per request of the GraphQL process; with BENCH_PROFILE=<file.cpuprofile> it
// also writes a V8 CPU profile of the GraphQL process covering the measured run only (not start-up);
// BENCH_HEAP_PROFILE=<file.heapprofile> instead samples every allocation of that run (garbage included).
// With BENCH_PROFILE it also prints the main thread's time by the layer's jobs (bench/lib/attribute.ts),
// with BENCH_HEAP_PROFILE the bytes allocated by them.
// On Linux the CPU is also split into the main thread and the process's other threads (V8's GC workers).
import { agent } from './lib/http.js';
import { cannon } from './lib/cannon.js';
import { measureLatency } from './lib/latency.js';
import { cpuPerAnswer, SERVER_BUNDLE_MAP, startFloorProcess, startPair, type BenchProcess } from './lib/proc.js';
import { searchBodies } from './scenarios/search.js';
import { threadSplit, threadTicks } from './lib/threads.js';
import { attribute, attributeHeap, printAttribution, printHeapAttribution } from './lib/attribute.js';

async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'uncached';
  const seconds = Number(process.argv[3] ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const pair = await startPair({ limits: 'unlimited' });
  let floor: BenchProcess | undefined;
  try {
    const b = await searchBodies(pair);
    // floor: the minimal Node pass-through (bench/floor.ts) measured instead of the app
    // yogafloor: the same behind graphql-yoga alone
    floor = kind === 'floor' || kind === 'yogafloor' ? await startFloorProcess(pair, b.restTemplate, kind === 'floor' ? 'raw' : 'yoga') : undefined;
    const measured = floor ?? pair.app;
    const next = kind === 'cached' ? b.cachedGql : kind === 'typename' ? b.typename : b.uncachedGql;
    const url = kind === 'direct' ? pair.dataUrl : (floor?.ready.url ?? pair.url);
    const headers = kind === 'direct' ? pair.keyHeaders : undefined;
    const body = kind === 'direct' ? b.uncachedRest : next;
    if (kind.startsWith('latency')) {
      await pair.sandbox.send({ cmd: 'setDelay', ms: 20 });
      const conns = Number(kind.slice('latency'.length) || 1);
      for (const target of ['direct', 'graphql'] as const) {
        const r = await measureLatency({
          url: target === 'direct' ? pair.dataUrl : pair.url,
          connections: conns,
          durationMs: seconds * 1000,
          next: () => ({
            headers: { 'content-type': 'application/json', ...(target === 'direct' ? pair.keyHeaders : {}) },
            body: target === 'direct' ? b.uncachedRest() : b.uncachedGql(),
          }),
        });
        console.log(`${target}: p50 ${r.p50Ms.toFixed(2)} ms, p90 ${r.p90Ms.toFixed(2)} ms, ${r.requests} requests, ${r.failures} failures`);
      }
      return;
    }
    await cannon({ url, connections, seconds: 1, headers, next: body }); // warm-up
    const profile = process.env.BENCH_PROFILE;
    const heapProfile = process.env.BENCH_HEAP_PROFILE;
    if (profile) await measured.send({ cmd: 'profileStart' });
    else if (heapProfile) await measured.send({ cmd: 'heapProfileStart' });
    const ticksBefore = threadTicks(measured.pid);
    const { run: r, cpuMs, userMs, systemMs } = await cpuPerAnswer(measured, () => cannon({ url, connections, seconds, headers, next: body }));
    const threads = threadSplit(measured.pid, ticksBefore, threadTicks(measured.pid), r.ok);
    const after = (await measured.send({ cmd: 'stats' })).process;
    if (profile) await measured.send({ cmd: 'profileStop', file: profile });
    else if (heapProfile) await measured.send({ cmd: 'heapProfileStop', file: heapProfile });
    console.log(
      `${kind}: ${r.rps.toFixed(0)} req/s, ${r.non2xx} non-2xx, ${r.gqlErrors} with errors; app CPU ${cpuMs.toFixed(3)} ms/req (user ${userMs.toFixed(3)}, system ${systemMs.toFixed(3)}${threads ? `; main thread ${threads.mainMs.toFixed(3)}, other threads ${threads.otherMs.toFixed(3)}` : ''}); app RSS ${(after.rssBytes / 2 ** 20).toFixed(0)} MB; ${r.ok} answers`,
    );
    // The bundle's source map names the files (BENCH_TSX=1 profiles name them already).
    if (profile) printAttribution(attribute(profile, r.ok, SERVER_BUNDLE_MAP), threads?.mainMs);
    else if (heapProfile) printHeapAttribution(attributeHeap(heapProfile, r.ok, SERVER_BUNDLE_MAP));
  } finally {
    await floor?.stop();
    await pair.stop();
    await agent.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
