// `npm run bench` (add `-- load` for the load test): the PERFORMANCE.md rows we own, each as a ratio
// against a baseline measured in the same run. BENCH_QUICK=1 for a sanity run under a minute.
import { fileURLToPath } from 'node:url';
import { agent } from './lib/http.js';
import { startPair, type Pair } from './lib/proc.js';
import { table, type Row } from './lib/report.js';
import { RESULTS_FILE, saveResults } from './lib/results.js';
import { runBudget } from './scenarios/budget.js';
import { runGraphiQL } from './scenarios/graphiql.js';
import { runStartup } from './scenarios/startup.js';
import { runThroughput } from './scenarios/throughput.js';

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
const settings = {
  rounds: num('BENCH_ROUNDS', quick ? 1 : 5),
  seconds: num('BENCH_SECONDS', quick ? 2 : 8),
  latencySeconds: num('BENCH_LATENCY_SECONDS', quick ? 1.5 : 5),
  connections: num('BENCH_CONNECTIONS', 20),
};
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = Date.now();
  const pairs: Pair[] = [];
  const stopAll = async () => {
    await Promise.all(pairs.map((p) => p.stop()));
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    log(
      `bench: ${quick ? 'QUICK ' : ''}${settings.rounds} round(s) of ${settings.seconds} s, ${settings.connections} connections; latency ${settings.latencySeconds} s per point`,
    );
    // Throughput and latency: sandbox without rate limits, so the runs measure the layer itself.
    const fast = await startPair({ limits: 'unlimited' });
    pairs.push(fast);
    log(`throughput pair: sandbox pid ${fast.sandbox.pid}, app pid ${fast.app.pid}`);
    const t = await runThroughput(fast, settings, log);
    // Budget rows: the contract's real limits on both sides.
    const real = await startPair({ limits: 'contract' });
    pairs.push(real);
    log(`budget pair: sandbox pid ${real.sandbox.pid}, app pid ${real.app.pid}`);
    const b = await runBudget(real);
    const rssMb = (await fast.app.send({ cmd: 'stats' })).process.rssBytes / 2 ** 20;
    const budgetRssMb = (await real.app.send({ cmd: 'stats' })).process.rssBytes / 2 ** 20;
    // After the RSS reading: GraphiQL's assets (9 MB of text, packed once) are not part of the load runs.
    const g = await runGraphiQL(fast.url);
    log(`graphiql: first visitor ${g.firstEver.bytes} B (${JSON.stringify(g.firstEver.encodings)}), brotli ready after ${g.brotliReadyMs.toFixed(0)} ms`);
    const s = await runStartup(fast, settings.rounds);
    log(`start to ready: ${s.command}: ${s.readyMs.rounds.map((x) => x.toFixed(0)).join(', ')} ms`);
    const MB = 1_000_000;

    const rows: Row[] = [
      {
        id: 'uncached',
        measure: 'uncached search throughput ÷ direct REST',
        target: '≥ 0.90×',
        value: t.uncachedRatio.median,
        spread: t.uncachedRatio,
        unit: '×',
        pass: t.uncachedRatio.median >= 0.9,
        detail: `${settings.connections} connections`,
      },
      {
        id: 'uncached1',
        measure: 'uncached search throughput ÷ direct REST, 1 connection',
        target: '≥ 0.70×',
        value: t.uncachedRatio1.median,
        spread: t.uncachedRatio1,
        unit: '×',
        pass: t.uncachedRatio1.median >= 0.7,
      },
      {
        id: 'cpu',
        measure: 'CPU in the GraphQL process per uncached request',
        target: '≤ 0.6 ms',
        value: t.cpuMsPerUncached.median,
        spread: t.cpuMsPerUncached,
        unit: 'ms',
        pass: t.cpuMsPerUncached.median <= 0.6,
      },
      {
        id: 'cached',
        measure: 'cached search throughput ÷ direct REST',
        target: '≥ 3.0×',
        value: t.cachedRatio.median,
        spread: t.cachedRatio,
        unit: '×',
        pass: t.cachedRatio.median >= 3,
      },
      {
        id: 'cachedVsTypename',
        measure: 'cached search throughput ÷ { __typename } (same server)',
        target: '≥ 0.80×',
        value: t.cachedVsTypename.median,
        spread: t.cachedVsTypename,
        unit: '×',
        pass: t.cachedVsTypename.median >= 0.8,
      },
      {
        id: 'lookups',
        measure: '25 job lookups as 25 aliased fields: upstream calls',
        target: '1',
        value: b.lookups.upstreamCalls,
        unit: '',
        pass: b.lookups.upstreamCalls === 1 && b.lookups.found === 25,
        detail: `${b.lookups.found}/25 found, ${b.lookups.errors} errors`,
      },
      {
        id: 'aggregates',
        measure: '60 concurrent aggregate queries of 5 shapes: upstream calls',
        target: '5',
        value: b.aggregates.upstreamCalls,
        unit: '',
        pass: b.aggregates.upstreamCalls === 5 && b.aggregates.errors === 0,
        detail: `${b.aggregates.errors} errors`,
      },
      {
        id: 'moreShapes',
        measure: '12 more aggregate shapes in the same minute: calls/min',
        target: '≤ 10, no 429',
        value: b.moreShapes.upstreamCallsThisMinute,
        unit: '',
        pass: b.moreShapes.upstreamCallsThisMinute <= 10 && b.moreShapes.upstream429 === 0,
        detail: `upstream 429s ${b.moreShapes.upstream429}; clients: ${b.moreShapes.answered} answered, ${b.moreShapes.rateLimited} RATE_LIMITED, ${b.moreShapes.otherErrors} other errors`,
      },
      {
        id: 'messy',
        measure: '1,000 sandbox records, every Job field: field errors',
        target: '0',
        value: b.messy.fieldErrors,
        unit: '',
        pass: b.messy.fieldErrors === 0 && b.messy.records >= 1000,
        detail: `${b.messy.records} records, ${b.messy.fieldsSelected} fields, ${b.messy.upstreamCalls} upstream calls`,
      },
      {
        id: 'rss',
        measure: 'RSS of the GraphQL process after the load runs',
        target: '≤ 160 MB',
        value: rssMb,
        unit: 'MB',
        pass: rssMb <= 160,
        detail: `budget-pair server ${budgetRssMb.toFixed(0)} MB`,
      },
      {
        id: 'latencyAdded1',
        measure: 'p50 latency added over direct REST, 20 ms upstream, 1 connection',
        target: '≤ +0.4 ms',
        value: t.latencyAdded1.median,
        spread: t.latencyAdded1,
        unit: 'ms',
        pass: t.latencyAdded1.median <= 0.4,
      },
      {
        id: 'latency1',
        measure: 'p50 latency, 20 ms upstream, ÷ direct, 1 connection',
        target: '(info)',
        value: t.latencyRatio1.median,
        spread: t.latencyRatio1,
        unit: '×',
        pass: true,
      },
      {
        id: 'latency20',
        measure: 'p50 latency, 20 ms upstream, ÷ direct, 20 connections',
        target: '(info)',
        value: t.latencyRatio20.median,
        spread: t.latencyRatio20,
        unit: '×',
        pass: true,
      },
      // The floors (bench/floor.ts): what any Node process, and graphql-yoga alone, cost doing this job here.
      ...(['raw', 'yoga'] as const).flatMap((k): Row[] => {
        const f = t.floors[k];
        const who = k === 'raw' ? 'raw floor (node:http + undici + JSON only)' : 'yoga floor (graphql-yoga + graphql-jit, the same call)';
        const cached: Row[] = f.cachedVsTypename
          ? [
              {
                id: `floor_${k}CachedVsTypename`,
                measure: `${k} floor: cached search ÷ { __typename }`,
                target: '(info)',
                value: f.cachedVsTypename.median,
                spread: f.cachedVsTypename,
                unit: '×',
                pass: true,
              },
            ]
          : [];
        return [
          ...cached,
          {
            id: `floor_${k}`,
            measure: `${who} ÷ direct REST`,
            target: '(info)',
            value: f.ratio.median,
            spread: f.ratio,
            unit: '×',
            pass: true,
            detail: `${settings.connections} connections`,
          },
          {
            id: `floor_${k}1`,
            measure: `${k} floor ÷ direct REST, 1 connection`,
            target: '(info)',
            value: f.ratio1.median,
            spread: f.ratio1,
            unit: '×',
            pass: true,
          },
          {
            id: `floor_${k}Cpu`,
            measure: `CPU in the ${k} floor process per request`,
            target: '(info)',
            value: f.cpuMs.median,
            spread: f.cpuMs,
            unit: 'ms',
            pass: true,
          },
          {
            id: `floor_${k}LatencyAdded1`,
            measure: `${k} floor: p50 added over direct REST, 20 ms upstream, 1 connection`,
            target: '(info)',
            value: f.latencyAdded1.median,
            spread: f.latencyAdded1,
            unit: 'ms',
            pass: true,
          },
        ];
      }),
      {
        id: 'startup',
        measure: 'start to ready (/healthz 200)',
        target: '≤ 0.6 s (compiled)',
        value: s.readyMs.median / 1000,
        spread: { ...s.readyMs, median: s.readyMs.median / 1000, min: s.readyMs.min / 1000, max: s.readyMs.max / 1000 },
        unit: 's',
        pass: s.readyMs.median <= 600,
        detail: `${s.command}; RSS at ready ${s.rssMb.median.toFixed(0)} MB`,
      },
      {
        id: 'graphiqlFirst',
        measure: 'GraphiQL first load over the wire',
        target: '≤ 2 MB',
        value: g.first.bytes / MB,
        unit: 'MB',
        pass: g.first.bytes <= 2 * MB,
        detail: `very first visitor after start ${(g.firstEver.bytes / MB).toFixed(2)} MB (gzip while brotli is made, ${(g.brotliReadyMs / 1000).toFixed(0)} s)`,
      },
      {
        id: 'graphiqlRevisit',
        measure: 'GraphiQL revisit over the wire (assets cached)',
        target: '≤ 50 KB',
        value: g.revisit.bytes / 1000,
        unit: 'KB',
        pass: g.revisit.bytes <= 50_000,
        detail: `page ${g.revisit.encodings.page}, introspection ${g.revisit.encodings.introspection}`,
      },
    ];
    log('');
    log(table(rows));
    const f = t.faults;
    log(`\nduring the runs: ${f.non2xx} non-2xx, ${f.errors} socket errors/timeouts, ${f.gqlErrors} GraphQL answers with errors (all should be 0)`);
    log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    // a quick run never overwrites the last full one
    saveResults({
      [quick ? 'benchQuick' : 'bench']: {
        at: new Date().toISOString(),
        mode: quick ? 'quick' : 'full',
        settings,
        node: process.version,
        rows,
        raw: t.raw,
        faults: t.faults,
        budget: b,
        graphiql: g,
        startup: s,
      },
    });
    log(`results written to ${RESULTS_FILE}`);
  } finally {
    await stopAll();
    await agent.close();
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const sub = process.argv[2];
  const task =
    sub === 'load'
      ? import('./load.js').then((m) => m.main())
      : sub === 'dashboard'
        ? import('./dashboard.js').then((m) => m.main())
        : sub === 'chaos'
          ? import('./chaos.js').then((m) => m.main())
          : sub === 'live'
            ? import('./live.js').then((m) => m.main())
            : main();
  void task.catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
