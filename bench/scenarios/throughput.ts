import { cannon, type CannonRun } from '../lib/cannon.js';
import { measureLatency } from '../lib/latency.js';
import { cpuPerAnswer, startFloorProcess, type BenchProcess, type Pair } from '../lib/proc.js';
import { spread, type Spread } from '../lib/stats.js';
import { searchBodies, type SearchBodies } from './search.js';

export interface ThroughputSettings {
  rounds: number;
  seconds: number;
  latencySeconds: number;
  connections: number;
}

export interface ThroughputResults {
  uncachedRatio: Spread;
  /** the same at 1 connection (closed loop: every request waits for the one before) */
  uncachedRatio1: Spread;
  cpuMsPerUncached: Spread;
  cachedRatio: Spread;
  cachedVsTypename: Spread;
  latencyRatio1: Spread;
  latencyRatio20: Spread;
  /** p50 GraphQL - p50 direct, ms, 1 connection */
  latencyAdded1: Spread;
  /**
   * The floors (bench/floor.ts) measured the same way in the same rounds: `raw`, a minimal Node
   * pass-through; `yoga`, the same call behind graphql-yoga set up as src/server.ts sets it up
   * (graphql-jit, no CORS) over a schema of the selected fields only.
   */
  floors: Record<FloorKind, FloorResults>;
  /** absolute figures of every round, for the record */
  raw: Record<string, number[]>;
  /** anything that answered badly during the runs (should all be 0) */
  faults: { non2xx: number; errors: number; gqlErrors: number };
}

type FloorKind = 'raw' | 'yoga';
const FLOOR_KINDS: readonly FloorKind[] = ['raw', 'yoga'];

export interface FloorResults {
  /** cached search ÷ `{ __typename }` on the floor (the yoga floor remembers answers; the raw one does not, so only yoga's is measured) */
  cachedVsTypename?: Spread;
  ratio: Spread;
  ratio1: Spread;
  cpuMs: Spread;
  latencyAdded1: Spread;
}

/** The throughput, CPU and latency rows of PERFORMANCE.md: each round measures the baselines next to our figures. */
export async function runThroughput(pair: Pair, s: ThroughputSettings, log: (line: string) => void): Promise<ThroughputResults> {
  const b = await searchBodies(pair);
  const floors = { raw: await startFloorProcess(pair, b.restTemplate, 'raw'), yoga: await startFloorProcess(pair, b.restTemplate, 'yoga') };
  try {
    return await measure(pair, floors, b, s, log);
  } finally {
    await Promise.all(Object.values(floors).map((f) => f.stop()));
  }
}

async function measure(
  pair: Pair,
  floors: Record<FloorKind, BenchProcess>,
  b: SearchBodies,
  s: ThroughputSettings,
  log: (line: string) => void,
): Promise<ThroughputResults> {
  const faults = { non2xx: 0, errors: 0, gqlErrors: 0 };
  const raw: Record<string, number[]> = {
    directRps: [],
    uncachedRps: [],
    directRps1: [],
    uncachedRps1: [],
    cachedRps: [],
    typenameRps: [],
    cpuMs: [],
    p50Direct1: [],
    p50Gql1: [],
    p50Direct20: [],
    p50Gql20: [],
  };
  for (const k of FLOOR_KINDS) for (const m of ['Rps', 'Rps1', 'CpuMs', 'P50_1']) raw[`floor_${k}${m}`] = [];
  const push = (name: string, v: number) => raw[name]?.push(v);
  const tally = (r: CannonRun, countGqlErrors: boolean) => {
    faults.non2xx += r.non2xx;
    faults.errors += r.errors;
    if (countGqlErrors) faults.gqlErrors += r.gqlErrors;
  };
  const c = s.connections;
  const direct = () => cannon({ url: pair.dataUrl, connections: c, seconds: s.seconds, headers: pair.keyHeaders, next: b.uncachedRest });
  const onApp = (next: () => string) => cannon({ url: pair.url, connections: c, seconds: s.seconds, next });

  // warm-up (JIT, connection pools); not recorded
  await cannon({ url: pair.dataUrl, connections: c, seconds: 1, headers: pair.keyHeaders, next: b.uncachedRest });
  await cannon({ url: pair.url, connections: c, seconds: 1, next: b.uncachedGql });
  await cannon({ url: pair.url, connections: c, seconds: 1, next: b.cachedGql });
  for (const f of Object.values(floors)) await cannon({ url: f.ready.url, connections: c, seconds: 1, next: b.uncachedGql });
  const floorRatio: Record<FloorKind, number[]> = { raw: [], yoga: [] };
  const floorRatio1: Record<FloorKind, number[]> = { raw: [], yoga: [] };
  const yogaCachedVsTypename: number[] = [];

  const uncachedRatio: number[] = [];
  const uncachedRatio1: number[] = [];
  const cachedRatio: number[] = [];
  const cachedVsTypename: number[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    const d = await direct();
    await pair.sandbox.send({ cmd: 'clearLog' });
    const { run: u, cpuMs } = await cpuPerAnswer(pair.app, () => onApp(b.uncachedGql));
    const upstream = (await pair.sandbox.send({ cmd: 'clearLog' })).upstream;
    const cached = await onApp(b.cachedGql);
    const typename = await onApp(b.typename);
    const d1 = await cannon({ url: pair.dataUrl, connections: 1, seconds: s.seconds, headers: pair.keyHeaders, next: b.uncachedRest });
    const u1 = await cannon({ url: pair.url, connections: 1, seconds: s.seconds, next: b.uncachedGql });
    const floorNotes: string[] = [];
    for (const k of FLOOR_KINDS) {
      const fp = floors[k];
      const f = await cpuPerAnswer(fp, () => cannon({ url: fp.ready.url, connections: c, seconds: s.seconds, next: b.uncachedGql }));
      const f1 = await cannon({ url: fp.ready.url, connections: 1, seconds: s.seconds, next: b.uncachedGql });
      tally(f.run, true);
      tally(f1, true);
      push(`floor_${k}Rps`, f.run.rps);
      push(`floor_${k}Rps1`, f1.rps);
      push(`floor_${k}CpuMs`, f.cpuMs);
      floorRatio[k].push(f.run.rps / d.rps);
      floorRatio1[k].push(f1.rps / d1.rps);
      let cachedNote = '';
      if (k === 'yoga') {
        const fc = await cannon({ url: fp.ready.url, connections: c, seconds: s.seconds, next: b.cachedGql });
        const ft = await cannon({ url: fp.ready.url, connections: c, seconds: s.seconds, next: b.typename });
        tally(fc, true);
        tally(ft, true);
        yogaCachedVsTypename.push(fc.rps / ft.rps);
        cachedNote = `, cached ${fc.rps.toFixed(0)}/s, { __typename } ${ft.rps.toFixed(0)}/s`;
      }
      floorNotes.push(`${k} floor ${f.run.rps.toFixed(0)}/s, CPU ${f.cpuMs.toFixed(3)} ms/req, 1 conn ${f1.rps.toFixed(0)}/s${cachedNote}`);
    }
    tally(d1, false);
    tally(u1, true);
    raw.directRps1?.push(d1.rps);
    raw.uncachedRps1?.push(u1.rps);
    uncachedRatio1.push(u1.rps / d1.rps);
    tally(d, false);
    tally(u, true);
    tally(cached, true);
    tally(typename, true);
    raw.directRps?.push(d.rps);
    raw.uncachedRps?.push(u.rps);
    raw.cachedRps?.push(cached.rps);
    raw.typenameRps?.push(typename.rps);
    raw.cpuMs?.push(cpuMs);
    uncachedRatio.push(u.rps / d.rps);
    cachedRatio.push(cached.rps / d.rps);
    cachedVsTypename.push(cached.rps / typename.rps);
    log(
      `  round ${round}: direct ${d.rps.toFixed(0)}/s, uncached ${u.rps.toFixed(0)}/s (${upstream?.calls.data ?? '?'} upstream calls for ${u.ok} answers), ` +
        `cached ${cached.rps.toFixed(0)}/s, { __typename } ${typename.rps.toFixed(0)}/s, CPU ${cpuMs.toFixed(3)} ms/req; ` +
        `1 conn: direct ${d1.rps.toFixed(0)}/s, uncached ${u1.rps.toFixed(0)}/s; ${floorNotes.join('; ')}`,
    );
  }

  await pair.sandbox.send({ cmd: 'setDelay', ms: 20 });
  const latencyRatio: Record<1 | 20, number[]> = { 1: [], 20: [] };
  const latencyAdded1: number[] = [];
  const floorAdded1: Record<FloorKind, number[]> = { raw: [], yoga: [] };
  for (let round = 1; round <= s.rounds; round++) {
    for (const conns of [1, 20] as const) {
      const ms = s.latencySeconds * 1000;
      const d = await measureLatency({
        url: pair.dataUrl,
        connections: conns,
        durationMs: ms,
        next: () => ({ headers: { 'content-type': 'application/json', ...pair.keyHeaders }, body: b.uncachedRest() }),
      });
      const g = await measureLatency({
        url: pair.url,
        connections: conns,
        durationMs: ms,
        next: () => ({ headers: { 'content-type': 'application/json' }, body: b.uncachedGql() }),
      });
      faults.gqlErrors += g.failures;
      faults.non2xx += d.failures;
      raw[`p50Direct${conns}`]?.push(d.p50Ms);
      raw[`p50Gql${conns}`]?.push(g.p50Ms);
      latencyRatio[conns].push(g.p50Ms / d.p50Ms);
      let floorNote = '';
      if (conns === 1) {
        latencyAdded1.push(g.p50Ms - d.p50Ms);
        for (const k of FLOOR_KINDS) {
          const fl = await measureLatency({
            url: floors[k].ready.url,
            connections: 1,
            durationMs: ms,
            next: () => ({ headers: { 'content-type': 'application/json' }, body: b.uncachedGql() }),
          });
          faults.gqlErrors += fl.failures;
          push(`floor_${k}P50_1`, fl.p50Ms);
          floorAdded1[k].push(fl.p50Ms - d.p50Ms);
          floorNote += `, ${k} floor ${fl.p50Ms.toFixed(2)} ms`;
        }
      }
      log(
        `  latency round ${round}, ${conns} conn: p50 direct ${d.p50Ms.toFixed(2)} ms, GraphQL ${g.p50Ms.toFixed(2)} ms (${g.requests} requests)${floorNote}`,
      );
    }
    await pair.sandbox.send({ cmd: 'clearLog' });
  }
  await pair.sandbox.send({ cmd: 'setDelay', ms: 0 });

  const floorResults = (k: FloorKind): FloorResults => ({
    ratio: spread(floorRatio[k]),
    ratio1: spread(floorRatio1[k]),
    cpuMs: spread(raw[`floor_${k}CpuMs`] ?? []),
    latencyAdded1: spread(floorAdded1[k]),
    ...(k === 'yoga' && { cachedVsTypename: spread(yogaCachedVsTypename) }),
  });
  return {
    uncachedRatio: spread(uncachedRatio),
    uncachedRatio1: spread(uncachedRatio1),
    cpuMsPerUncached: spread(raw.cpuMs ?? []),
    cachedRatio: spread(cachedRatio),
    cachedVsTypename: spread(cachedVsTypename),
    latencyRatio1: spread(latencyRatio[1]),
    latencyRatio20: spread(latencyRatio[20]),
    latencyAdded1: spread(latencyAdded1),
    floors: {
      raw: floorResults('raw'),
      yoga: floorResults('yoga'),
    },
    raw,
    faults,
  };
}
