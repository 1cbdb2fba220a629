import { existsSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// A V8 CPU profile (`.cpuprofile`, as `Profiler.stop` returns it): what this reads of it.
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
// A V8 sampling heap profile (`.heapprofile`, `HeapProfiler.stopSampling`): a call tree and the sampled allocations.
interface HeapNode {
  id: number;
  callFrame: CallFrame;
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
  samples: { nodeId: number; size: number }[];
}

/**
 * Which of the layer's jobs a sample belongs to: the innermost frame of the project's own code on its
 * stack, so a library call made for a feature (lru-cache for the cache, prom-client for the host pool's
 * metrics) counts as that feature's. First match wins.
 */
const FEATURES: [RegExp, string][] = [
  [/^src\/upstream\/(decode|envelope|coerce|records|xml)\.ts$/, 'reading the answer: JSON.parse, envelope, 40 coerced fields a record'],
  [/^src\/upstream\//, 'upstream call: body, host pool, deadline, undici dispatch, body text'],
  [/^src\/budget\/(rate-gate|sliding-window)/, 'rate gate: two windows'],
  [/^src\/budget\/cache\.ts$/, 'cache: page and records kept, equal records shared, sizes'],
  [/^src\/budget\//, 'read-through, single-flight, cache keys, JobsService'],
  [/^src\/schema\//, 'resolvers, connection, cursor signing'],
  [/^src\/plugins\/(operation-estimate|use-budget|request-allowance)\.ts$/, 'credit estimate, allowance, usage report'],
  [/^src\/(plugins\/use-caller|callers\/)/, 'callers, quotas'],
  [/^src\/(plugins\/use-operation-log|logger)/, 'operation log'],
  [/^src\/plugins\/use-response-limit\.ts$/, "response size bound (with the answer's JSON.stringify)"],
  [/^src\/plugins\/use-host-check\.ts$/, 'host check'],
  [/^src\/plugins\/(use-answer-cache|answer-cache)\.ts$/, 'answer cache'],
  [/^src\//, 'other plugins, context, credentials, filter'],
  [/^bench\/floor\.ts$/, "the floor's own code"],
];

/**
 * Frames of the project's own code that only pass a request on: the Host guard in front of the Node
 * adapter calls the whole of whatwg-node's and yoga's synchronous start, which is the stack's work.
 */
const passesOn = (src: string, fn: string): boolean => src === 'src/plugins/use-host-check.ts' && fn !== 'onRequest' && fn !== 'isStrictHost';

const STACK: [RegExp, string][] = [
  [
    /^node_modules\/(graphql-yoga|@graphql-yoga|@envelop|@whatwg-node|graphql|graphql-jit|@graphql-tools|@escape\.tech)\//,
    'stack: yoga, envelop, whatwg-node, graphql, graphql-jit',
  ],
  [/^node_modules\/@pothos\//, 'stack: Pothos (complexity)'],
  [/^node_modules\/undici\//, 'stack: undici'],
  [/^node_modules\//, 'stack: other packages'],
];

/**
 * The file a frame came from, relative to the repository (`src/...`, `node_modules/<package>/...`):
 * positions in the bundle are mapped back through its source map.
 */
function sourcer(mapFile: string | undefined): (cf: CallFrame) => string {
  const map = mapFile && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload) : undefined;
  if (mapFile && !map) console.warn(`attribute: no source map at ${mapFile}; frames of the bundle stay unnamed`);
  const bundle = mapFile && resolve(mapFile.replace(/\.map$/, ''));
  const root = process.cwd();
  return (cf) => {
    let path = cf.url.startsWith('file://') ? fileURLToPath(cf.url) : cf.url;
    if (map && mapFile && path === bundle) {
      const e = map.findEntry(cf.lineNumber, cf.columnNumber);
      if ('originalSource' in e) path = resolve(dirname(mapFile), e.originalSource);
    }
    if (!isAbsolute(path)) return path;
    const rel = relative(root, path);
    const nm = rel.lastIndexOf('node_modules/');
    return nm >= 0 ? rel.slice(nm) : rel;
  };
}

export interface Attribution {
  /** Per answer: µs of main-thread samples not idle, or bytes allocated. */
  perAnswer: number;
  rows: { what: string; perAnswer: number; share: number }[];
}

/** Sums `amount` of each sampled node under the job its stack belongs to (see FEATURES). */
function byJob(nodes: ProfileNode[], amounts: Map<number, number>, mapFile: string | undefined): { total: number; rows: Map<string, number> } {
  const sourceOf = sourcer(mapFile);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const source = new Map(nodes.map((n) => [n.id, sourceOf(n.callFrame)]));
  const rows = new Map<string, number>();
  let total = 0;
  for (const [id, amount] of amounts) {
    const fn = byId.get(id)?.callFrame.functionName ?? '';
    if (fn === '(idle)') continue;
    total += amount;
    let what: string | undefined =
      fn === '(garbage collector)' ? 'garbage collection (main thread)' : fn === '(program)' ? 'V8 and Node internals (program)' : undefined;
    for (let cur: number | undefined = id; what === undefined && cur !== undefined; cur = parent.get(cur)) {
      const src = source.get(cur) ?? '';
      if (!passesOn(src, byId.get(cur)?.callFrame.functionName ?? '')) what = FEATURES.find(([re]) => re.test(src))?.[1];
    }
    // None of the project's code on the stack: the innermost package's (graphql-jit's compiled queries and
    // V8 builtins have no file of their own, the package that called them has).
    for (let cur: number | undefined = id; what === undefined && cur !== undefined; cur = parent.get(cur)) {
      const src = source.get(cur) ?? '';
      if (src.startsWith('node_modules/')) what = STACK.find(([re]) => re.test(src))?.[1];
    }
    what ??= 'stack: node:http, streams, sockets, natives';
    rows.set(what, (rows.get(what) ?? 0) + amount);
  }
  return { total, rows };
}

const perAnswer = (r: { total: number; rows: Map<string, number> }, answers: number): Attribution => {
  const n = Math.max(1, answers);
  return {
    perAnswer: r.total / n,
    rows: [...r.rows].sort((a, b) => b[1] - a[1]).map(([what, t]) => ({ what, perAnswer: t / n, share: t / Math.max(1, r.total) })),
  };
};

/** A bundle rebuilt after the profile was taken maps its positions to the wrong sources. */
function warnIfRebuilt(profileFile: string, mapFile: string | undefined): void {
  if (mapFile && existsSync(mapFile) && statSync(mapFile).mtimeMs > statSync(profileFile).mtimeMs) {
    console.warn(`attribute: ${mapFile} is newer than ${profileFile}: if the bundle changed since, frames are named wrongly`);
  }
}

/** Main-thread time of a CPU profile by the layer's jobs, per answer (µs of samples not idle). */
export function attribute(profileFile: string, answers: number, mapFile?: string): Attribution {
  warnIfRebuilt(profileFile, mapFile);
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const self = new Map<number, number>();
  // timeDeltas[i] is the time from sample i-1 to sample i: the interval a sample stands for is the next one.
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  });
  return perAnswer(byJob(p.nodes, self, mapFile), answers);
}

/** Bytes allocated, garbage included, by the layer's jobs, per answer (a sampling heap profile). */
export function attributeHeap(profileFile: string, answers: number, mapFile?: string): Attribution {
  warnIfRebuilt(profileFile, mapFile);
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as HeapProfile;
  const nodes: ProfileNode[] = [];
  const walk = (n: HeapNode): void => {
    nodes.push({ id: n.id, callFrame: n.callFrame, children: n.children.map((c) => c.id) });
    for (const c of n.children) walk(c);
  };
  walk(p.head);
  const bytes = new Map<number, number>();
  for (const s of p.samples) bytes.set(s.nodeId, (bytes.get(s.nodeId) ?? 0) + s.size);
  return perAnswer(byJob(nodes, bytes, mapFile), answers);
}

/**
 * The rows in µs per answer. A profile's sample intervals are wall time (a thread descheduled on a
 * loaded machine still has its interval charged to the function it was in), so with `mainThreadMs`
 * (the main thread's CPU per answer from /proc, see ./threads.ts) the shares are scaled to that instead.
 */
export function printAttribution(a: Attribution, mainThreadMs?: number): void {
  const busy = mainThreadMs === undefined ? a.perAnswer : mainThreadMs * 1000;
  console.log(
    mainThreadMs === undefined
      ? `main thread: ${busy.toFixed(0)} µs per answer of samples not idle (wall time between samples)`
      : `main thread: ${busy.toFixed(0)} µs of CPU per answer, shared out as the profile's samples are`,
  );
  for (const r of a.rows) {
    const us = r.share * busy;
    if (us >= 1) console.log(`${us.toFixed(0).padStart(6)} µs ${(100 * r.share).toFixed(1).padStart(5)}%  ${r.what}`);
  }
}

export function printHeapAttribution(a: Attribution): void {
  console.log(`allocated: ${(a.perAnswer / 1024).toFixed(0)} KB per answer, garbage included`);
  for (const r of a.rows)
    if (r.perAnswer >= 512) console.log(`${(r.perAnswer / 1024).toFixed(1).padStart(6)} KB ${(100 * r.share).toFixed(1).padStart(5)}%  ${r.what}`);
}
