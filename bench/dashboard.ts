// `npm run bench -- dashboard` (or `npx tsx bench/dashboard.ts`): the "budget stewardship on a realistic
// workload" row of PERFORMANCE.md. A job-market dashboard used by 10 people for 2 minutes (landing
// counts, popular searches paged twice, job detail views, expired-job lists with their jobs; 686 GraphQL
// operations), against a sandbox with the CONTRACT's real limits, under its PRODUCTION key (every record
// bought costs a credit). See bench/dashboard-README.md.
//
// This file is the driver. The sandbox and the GraphQL server are bench/server.ts processes (one pid
// each, started and asked over IPC by bench/lib/proc.ts), as in the other benchmarks.
// Knobs: DASHBOARD_SPEEDUP (time compression factor, default 1 = real time), DASHBOARD_SEED (default 7),
// DASHBOARD_OPS (default 686), DASHBOARD_USERS (default 10), DASHBOARD_SECONDS (session length, default 120),
// DASHBOARD_OUT (results file, default bench/dashboard-results.json).
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createRng } from '../src/sandbox/prng.js';
import { agent, type GqlBody, gql } from './lib/http.js';
import { type BenchProcess, startProcess } from './lib/proc.js';
import { textTable as table } from './lib/report.js';
import { percentile as pct } from './lib/stats.js';
import type { Ledger, LedgerEntry, ProcessStats } from './protocol.js';

const RESULTS = process.env.DASHBOARD_OUT ?? fileURLToPath(new URL('./dashboard-results.json', import.meta.url));

/** The gateway's figures on this workload (PERFORMANCE.md), and ours must be at most 20% of them. */
const REFERENCE = { operations: 686, upstreamCalls: 488, credits: 497, upstream429: 276, responsesWithErrors: 168 } as const;
const TARGET_SHARE = 0.2;
const PRODUCTION_CREDITS = 10_000;

const num = (name: string, def: number): number => {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? def : Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

/** CPU (user + system, µs) and RSS of a bench process. */
async function statsOf(p: BenchProcess): Promise<{ cpuUs: number; rssBytes: number }> {
  const s: ProcessStats = (await p.send({ cmd: 'stats' })).process;
  return { cpuUs: s.cpuUserUs + s.cpuSystemUs, rssBytes: s.rssBytes };
}

async function ledgerOf(sandbox: BenchProcess): Promise<Ledger> {
  const { ledger } = await sandbox.send({ cmd: 'ledger' });
  if (!ledger) throw new Error('the sandbox process sent no ledger');
  return ledger;
}

// ---------------------------------------------------------------------------------------------------
// The workload: a seeded script per user, resolved against the answers as it runs

/** The sandbox's seeded PRNG (mulberry32): the same script on every machine for a given seed. */
function rng(seed: number) {
  const r = createRng(seed);
  return { ...r, between: (min: number, max: number) => min + r.next() * (max - min) };
}
type Rng = ReturnType<typeof rng>;

interface Shape {
  field: string;
  groupBy?: string;
  filter?: Record<string, unknown>;
  limit: number;
}
/** The landing page's four count widgets. */
const LANDING: readonly Shape[] = [
  { field: 'CATEGORY', limit: 10 },
  { field: 'CITY', limit: 10 },
  { field: 'JOB_TYPE', groupBy: 'SENIORITY', limit: 5 },
  { field: 'REMOTE', limit: 10 },
];
/** Clicking a category bar: the companies hiring in it; or "show all categories". Weighted. */
const DRILLDOWNS: readonly (readonly [Shape, number])[] = [
  [{ field: 'COMPANY', filter: { category: 'Software Development' }, limit: 10 }, 5],
  [{ field: 'COMPANY', filter: { category: 'Healthcare' }, limit: 10 }, 3],
  [{ field: 'COMPANY', filter: { category: 'Data Science' }, limit: 10 }, 3],
  [{ field: 'COMPANY', filter: { category: 'Finance & Accounting' }, limit: 10 }, 2],
  [{ field: 'COMPANY', filter: { category: 'Sales' }, limit: 10 }, 2],
  [{ field: 'CATEGORY', limit: 25 }, 2],
];
/** The "popular searches" panel; the last one is the "include expired postings" toggle. Weighted. */
const SEARCHES: readonly (readonly [Record<string, unknown>, number])[] = [
  [{ keywords: 'software engineer' }, 8],
  [{ title: 'nurse' }, 5],
  [{ keywords: 'data', remote: true }, 4],
  [{ city: 'London', includeExpired: true }, 3],
];
/** The expired-jobs panel's two ranges: the first year of data, and everything so far. */
const EXPIRED_RANGES: readonly (readonly [string, string])[] = [
  ['2024-11-01', '2025-10-31'],
  ['2024-11-01', '2026-12-31'],
];

type Step =
  | { kind: 'landing' | 'drilldown'; shape: Shape }
  | { kind: 'usage' }
  | { kind: 'search'; search: number; page: 1 | 2 }
  | { kind: 'job' | 'node'; pick: number }
  | { kind: 'compare'; picks: number[] }
  | { kind: 'expired'; range: number }
  | { kind: 'expiredJob'; pick: number };
type Kind = Step['kind'];
/** One screen: fired together (widgets load in parallel) after the user thought for thinkMs. */
interface Screen {
  thinkMs: number;
  steps: Step[];
}

const landingScreen = (thinkMs: number): Screen => ({ thinkMs, steps: [...LANDING.map((shape) => ({ kind: 'landing' as const, shape })), { kind: 'usage' }] });

/** A user's visit: a few screens. Think times here are relative; the session is scaled to its length later. */
function visit(r: Rng): Screen[] {
  const between = r.between(3, 9);
  const within = () => r.between(1, 4);
  const type = r.weighted([
    ['search', 45],
    ['expired', 20],
    ['drilldown', 20],
    ['landing', 15],
  ] as const);
  if (type === 'landing') return [landingScreen(between)];
  if (type === 'drilldown') return [{ thinkMs: between, steps: [{ kind: 'drilldown', shape: r.weighted(DRILLDOWNS) }] }];
  if (type === 'expired') {
    // The consumed-and-expired lists stay short (one page): the user opens one of its jobs, and
    // sometimes switches to the other range.
    const range = r.int(0, EXPIRED_RANGES.length - 1);
    const screens: Screen[] = [{ thinkMs: between, steps: [{ kind: 'expired', range }] }];
    if (r.chance(0.6)) screens.push({ thinkMs: within(), steps: [{ kind: 'expiredJob', pick: r.int(0, 9) }] });
    if (r.chance(0.4)) screens.push({ thinkMs: within(), steps: [{ kind: 'expired', range: 1 - range }] });
    return screens;
  }
  const search = SEARCHES.indexOf(r.weighted(SEARCHES.map((s) => [s, s[1]] as const)));
  const screens: Screen[] = [
    { thinkMs: between, steps: [{ kind: 'search', search, page: 1 }] },
    { thinkMs: within(), steps: [{ kind: 'search', search, page: 2 }] },
  ];
  for (
    let i = r.weighted([
      [0, 2],
      [1, 4],
      [2, 3],
      [3, 1],
    ] as const);
    i > 0;
    i--
  ) {
    const detail = r.weighted([
      ['job', 60],
      ['node', 25],
      ['compare', 15],
    ] as const);
    const step: Step = detail === 'compare' ? { kind: 'compare', picks: [r.int(0, 19), r.int(0, 19), r.int(0, 19)] } : { kind: detail, pick: r.int(0, 19) };
    screens.push({ thinkMs: within(), steps: [step] });
  }
  return screens;
}

/** Exactly `ops` operations per user (the last screen is cut to fit), think times scaled to the session length. */
export function buildScripts(o: { seed: number; users: number; operations: number; sessionMs: number }): Screen[][] {
  return Array.from({ length: o.users }, (_, u) => {
    const r = rng(o.seed * 1_000 + u);
    const ops = Math.floor(o.operations / o.users) + (u < o.operations % o.users ? 1 : 0);
    // People open the dashboard within the first few seconds of each other.
    const screens: Screen[] = [landingScreen(r.between(0, 5_000))];
    let count = 5;
    while (count < ops) {
      for (const s of visit(r)) {
        if (count >= ops) break;
        const steps = s.steps.slice(0, ops - count);
        screens.push({ thinkMs: s.thinkMs, steps });
        count += steps.length;
      }
    }
    const arrival = screens[0]?.thinkMs ?? 0;
    const relative = screens.slice(1).reduce((sum, s) => sum + s.thinkMs, 0);
    // Leave ~2 s at the end for the answers themselves.
    const scale = (o.sessionMs - 2_000 - arrival) / relative;
    return screens.map((s, i) => (i === 0 ? s : { ...s, thinkMs: s.thinkMs * scale }));
  });
}

// ---------------------------------------------------------------------------------------------------
// The operations a dashboard sends

const LIST_FIELDS = 'id uniqId title companyName postDate isRemote location { city country } salary { from to currency timeUnit }';
const DETAIL_FIELDS = `${LIST_FIELDS} url description jobType jobBoard seniority skills applyUrl validThrough hasExpired category crawledAt`;
const Q = {
  aggregate:
    'query Counts($field: AggregateField!, $groupBy: AggregateField, $filter: JobFilter, $limit: Int) { aggregate(field: $field, groupBy: $groupBy, filter: $filter, limit: $limit) { key count buckets { key count } } }',
  usage: 'query Usage { apiUsage { sandbox creditsRemaining creditsUsedByThisServer limits { endpoint remainingThisMinute remainingThisHour } } }',
  search: `query Search($filter: JobFilter, $after: String) { jobs(filter: $filter, first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${LIST_FIELDS} } } }`,
  job: `query Job($uniqId: String!) { job(uniqId: $uniqId) { ${DETAIL_FIELDS} } }`,
  node: `query Node($id: ID!) { node(id: $id) { id ... on Job { ${DETAIL_FIELDS} } } }`,
  compare: `query Compare($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { ${LIST_FIELDS} jobType seniority skills } }`,
  expired:
    'query Expired($from: Date!, $to: Date!) { expiredJobs(from: $from, to: $to, first: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { id uniqId url expiredOn job { id title companyName location { city country } } } } }',
};

/** The server's account of the key at the end (the part compared with the sandbox's ledger). */
const ApiUsage = z.object({ creditsRemaining: z.number().nullable(), creditsUsedByThisServer: z.number() });

/** What an answer says it cost (extensions.jobspikr); 0 where it says nothing. */
const Usage = z.object({ creditsCharged: z.number().catch(0), upstreamCalls: z.number().catch(0) }).catch({ creditsCharged: 0, upstreamCalls: 0 });

interface OpRecord {
  user: number;
  kind: Kind;
  /** what the user actually got when the script's step could not be made as written (see README) */
  note?: string;
  startedMs: number;
  latencyMs: number;
  status: number;
  errorCodes: string[];
  errorMessages: string[];
  creditsCharged: number;
  upstreamCalls: number;
  /** job records in the answer (for the no-cache estimate) */
  records: number;
  /** totalCount of a list answer */
  totalCount?: number;
}

interface JobNode {
  id: string;
  uniqId: string;
}
interface Conn<T> {
  totalCount: number | null;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

class UserState {
  /** search index -> page 1's endCursor */
  cursors = new Map<number, string>();
  /** jobs on the pages this user saw last (detail views pick from them) */
  seen: JobNode[] = [];
  expiredSeen: string[] = [];
}

/** Turn a step into an operation, given what this user saw so far. */
function operation(step: Step, s: UserState): { query: string; variables: Record<string, unknown>; note?: string } | undefined {
  const pick = (i: number) => s.seen[i % Math.max(1, s.seen.length)];
  switch (step.kind) {
    case 'landing':
    case 'drilldown':
      return {
        query: Q.aggregate,
        variables: { field: step.shape.field, groupBy: step.shape.groupBy ?? null, filter: step.shape.filter ?? null, limit: step.shape.limit },
      };
    case 'usage':
      return { query: Q.usage, variables: {} };
    case 'search': {
      const filter = (SEARCHES[step.search] as readonly [Record<string, unknown>, number])[0];
      const after = step.page === 2 ? s.cursors.get(step.search) : undefined;
      // page 1 failed or had no next page: the user reloads page 1
      if (step.page === 2 && after === undefined) return { query: Q.search, variables: { filter, after: null }, note: 'page 1 again (no cursor)' };
      return { query: Q.search, variables: { filter, after: after ?? null } };
    }
    case 'job':
    case 'node': {
      const j = pick(step.pick);
      if (!j) return undefined;
      return step.kind === 'job' ? { query: Q.job, variables: { uniqId: j.uniqId } } : { query: Q.node, variables: { id: j.id } };
    }
    case 'compare': {
      const ids = [...new Set(step.picks.map((i) => pick(i)?.uniqId).filter((id): id is string => id !== undefined))];
      return ids.length ? { query: Q.compare, variables: { ids } } : undefined;
    }
    case 'expired': {
      const [from, to] = EXPIRED_RANGES[step.range] as readonly [string, string];
      return { query: Q.expired, variables: { from, to } };
    }
    case 'expiredJob': {
      const id = s.expiredSeen[step.pick % Math.max(1, s.expiredSeen.length)] ?? pick(step.pick)?.uniqId;
      if (!id) return undefined;
      return { query: Q.job, variables: { uniqId: id }, ...(s.expiredSeen.length === 0 && { note: 'expired list empty: a searched job instead' }) };
    }
  }
}

/** Remember what the answer showed, for the next steps. */
function observe(step: Step, body: GqlBody, s: UserState): number {
  const data = body.data ?? {};
  if (step.kind === 'search') {
    const c = data.jobs as Conn<JobNode> | undefined;
    if (!c) return 0;
    if (step.page === 1) {
      if (c.pageInfo.hasNextPage && c.pageInfo.endCursor) s.cursors.set(step.search, c.pageInfo.endCursor);
      else s.cursors.delete(step.search);
      s.seen = [...c.nodes];
    } else {
      s.seen = [...s.seen.slice(0, 10), ...c.nodes];
    }
    return c.nodes.length;
  }
  if (step.kind === 'expired') {
    const c = data.expiredJobs as Conn<{ uniqId: string; job: unknown }> | undefined;
    if (!c) return 0;
    s.expiredSeen = c.nodes.map((n) => n.uniqId);
    return c.nodes.filter((n) => n.job !== null).length;
  }
  if (step.kind === 'compare') return ((data.jobsByUniqIds ?? []) as unknown[]).filter((j) => j !== null).length;
  if (step.kind === 'job' || step.kind === 'expiredJob') return data.job ? 1 : 0;
  if (step.kind === 'node') return data.node ? 1 : 0;
  return 0;
}

export async function runUser(user: number, script: Screen[], ctx: { url: string; speedup: number; t0: number }, out: OpRecord[]): Promise<void> {
  const state = new UserState();
  for (const screen of script) {
    await sleep(screen.thinkMs / ctx.speedup);
    await Promise.all(
      screen.steps.map(async (step) => {
        const startedMs = performance.now() - ctx.t0;
        const op = operation(step, state);
        if (!op) {
          out.push({
            user,
            kind: step.kind,
            note: 'skipped: nothing to pick from',
            startedMs,
            latencyMs: 0,
            status: 0,
            errorCodes: [],
            errorMessages: [],
            creditsCharged: 0,
            upstreamCalls: 0,
            records: 0,
          });
          return;
        }
        let status = 0;
        let body: GqlBody;
        try {
          const r = await gql(ctx.url, op.query, op.variables);
          status = r.status;
          body = r.body;
        } catch (e) {
          body = { errors: [{ message: e instanceof Error ? e.message : String(e), extensions: { code: 'TRANSPORT' } }] };
        }
        const latencyMs = performance.now() - ctx.t0 - startedMs;
        const records = observe(step, body, state);
        const list = (body.data?.jobs ?? body.data?.expiredJobs) as { totalCount?: number | null } | undefined;
        const usage = Usage.parse(body.extensions?.jobspikr);
        out.push({
          user,
          kind: step.kind,
          ...(op.note && { note: op.note }),
          startedMs,
          latencyMs,
          status,
          errorCodes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE'),
          errorMessages: (body.errors ?? []).map((e) => e.message),
          creditsCharged: usage.creditsCharged,
          upstreamCalls: usage.upstreamCalls,
          records,
          ...(typeof list?.totalCount === 'number' && { totalCount: list.totalCount }),
        });
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

const countBy = <T>(items: readonly T[], key: (t: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};
/** A stable text of a request's parameters, cursor included (for "the same upstream request"). */
const canon = (v: unknown): string =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
          .join(',')}}`;
const isLookup = (e: LedgerEntry): boolean => e.endpoint === 'data' && canon(e.body).includes('"uniq_id"');

/** Upstream calls and credits a layer without cache, coalescing or batching would need for the same answers. */
function uncachedDemand(ops: readonly OpRecord[]): { calls: number; credits: number } {
  let calls = 0;
  let credits = 0;
  for (const o of ops) {
    if (o.kind === 'usage' || o.status === 0) continue;
    if (o.kind === 'landing' || o.kind === 'drilldown') calls += 1;
    else if (o.kind === 'search') {
      calls += 1;
      credits += o.records;
    } else if (o.kind === 'expired') {
      calls += 1 + o.records; // the list, then one lookup per job shown
      credits += o.records;
    } else if (o.kind === 'compare') {
      calls += o.records;
      credits += o.records;
    } else {
      calls += 1;
      credits += o.records;
    }
  }
  return { calls, credits };
}

export async function main(): Promise<void> {
  const speedup = num('DASHBOARD_SPEEDUP', 1);
  const seed = num('DASHBOARD_SEED', 7);
  const users = num('DASHBOARD_USERS', 10);
  const operations = num('DASHBOARD_OPS', REFERENCE.operations);
  const sessionMs = num('DASHBOARD_SECONDS', 120) * 1000;
  const log = (line: string) => console.log(line);
  const scaled = (ms: number) => String(Math.max(1, Math.round(ms / speedup)));

  const scripts = buildScripts({ seed, users, operations, sessionMs });
  const planned = scripts.flat().reduce((n, s) => n + s.steps.length, 0);
  log(
    `dashboard: ${users} users, ${planned} operations over ${sessionMs / 1000} s of workload time, seed ${seed}, speedup ${speedup}× (runs ~${(sessionMs / speedup / 1000).toFixed(0)} s)`,
  );

  const children: BenchProcess[] = [];
  const stopAll = async () => {
    for (const c of children.reverse()) await c.stop();
  };
  const onSigint = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSigint);
  try {
    const sandbox = await startProcess({
      BENCH_ROLE: 'sandbox',
      BENCH_LIMITS: 'contract',
      BENCH_MINUTE_MS: scaled(60_000),
      BENCH_HOUR_MS: scaled(3_600_000),
      BENCH_PRODUCTION_CREDITS: String(PRODUCTION_CREDITS),
    });
    children.push(sandbox);
    const production = sandbox.ready.keys?.production;
    if (!production) throw new Error('the sandbox process sent no keys');
    const app = await startProcess({
      BENCH_ROLE: 'app',
      BENCH_LIMITS: 'contract',
      NODE_ENV: 'production',
      JOBSPIKR_BASE_URL: sandbox.ready.url,
      JOBSPIKR_FALLBACK_BASE_URL: sandbox.ready.fallbackUrl ?? sandbox.ready.url,
      JOBSPIKR_CLIENT_ID: production.clientId,
      JOBSPIKR_CLIENT_AUTH_KEY: production.authKey,
      // Time compression: every duration that shapes the budget shrinks by the same factor.
      RATE_WINDOW_MINUTE_MS: scaled(60_000),
      RATE_WINDOW_HOUR_MS: scaled(3_600_000),
      RATE_LIMIT_MAX_WAIT_MS: scaled(2_000),
      CACHE_TTL_SEARCH_MS: scaled(5 * 60_000),
      CACHE_TTL_AGGREGATE_MS: scaled(10 * 60_000),
      CACHE_TTL_EXPIRED_MS: scaled(5 * 60_000),
      CACHE_TTL_RECORD_MS: scaled(60 * 60_000),
    });
    children.push(app);
    const url = app.ready.url;
    log(`sandbox pid ${sandbox.pid} (production key ${production.clientId}, ${PRODUCTION_CREDITS} credits), app pid ${app.pid} at ${url}`);

    const appAtStart = await statsOf(app);
    const ops: OpRecord[] = [];
    const tStartEpoch = Date.now();
    const t0 = performance.now();
    await Promise.all(scripts.map((script, u) => runUser(u, script, { url, speedup, t0 }, ops)));
    const wallMs = performance.now() - t0;

    // The server's own account of the key, then the upstream's ledger.
    const usageAfter = await gql(url, Q.usage, {});
    const apiUsage = ApiUsage.safeParse(usageAfter.body.data?.apiUsage).data ?? null;
    const ledger = await ledgerOf(sandbox);
    const appStats = await statsOf(app);
    const upstream = ledger.log.filter((e) => e.clientId === production.clientId);
    const creditsSpent = PRODUCTION_CREDITS - ledger.creditsRemaining;
    const upstream429 = upstream.filter((e) => e.status === 429).length;
    const withErrors = ops.filter((o) => o.errorCodes.length > 0);
    const errorsByCode = countBy(
      withErrors.flatMap((o) => [...new Set(o.errorCodes)]),
      (c) => c,
    );
    const callsByEndpoint = countBy(upstream, (e) => (isLookup(e) ? 'data (lookup by uniq_id)' : e.endpoint === 'data' ? 'data (search page)' : e.endpoint));
    const statuses = countBy(upstream, (e) => String(e.status));
    // Calls that repeat an earlier identical request (same endpoint and parameters) that was answered 200.
    const answered = new Set<string>();
    let repeats = 0;
    const repeatsByEndpoint: Record<string, number> = {};
    let floorCredits = 0;
    for (const e of upstream) {
      const k = `${e.endpoint} ${canon(e.body)}`;
      if (answered.has(k)) {
        repeats++;
        repeatsByEndpoint[e.endpoint] = (repeatsByEndpoint[e.endpoint] ?? 0) + 1;
      } else if (e.status === 200) {
        answered.add(k);
        if (e.endpoint === 'data' && !isLookup(e)) floorCredits += e.records;
      }
    }
    const distinctNonLookup = [...answered].filter((k) => !k.includes('"uniq_id"')).length;
    const demand = uncachedDemand(ops);
    const chargedInAnswers = ops.reduce((s, o) => s + o.creditsCharged, 0);
    const usageMatches = apiUsage !== null && apiUsage.creditsRemaining === ledger.creditsRemaining && apiUsage.creditsUsedByThisServer === creditsSpent;
    const maxCalls = Math.floor(REFERENCE.upstreamCalls * TARGET_SHARE);
    const maxCredits = Math.floor(REFERENCE.credits * TARGET_SHARE);
    const avoidable = withErrors.length; // the workload fits the budget (see the floor): every error was avoidable
    const kinds = [...new Set(ops.map((o) => o.kind))];

    const rows = [
      ['GraphQL operations', String(REFERENCE.operations), '', String(ops.length), ''],
      ['upstream calls', String(REFERENCE.upstreamCalls), `≤ ${maxCalls}`, String(upstream.length), upstream.length <= maxCalls ? 'ok' : 'MISS'],
      ['job credits spent (sandbox ledger)', String(REFERENCE.credits), `≤ ${maxCredits}`, String(creditsSpent), creditsSpent <= maxCredits ? 'ok' : 'MISS'],
      ['upstream 429s', String(REFERENCE.upstream429), '0', String(upstream429), upstream429 === 0 ? 'ok' : 'MISS'],
      ['responses with errors', String(REFERENCE.responsesWithErrors), '0 avoidable', String(withErrors.length), avoidable === 0 ? 'ok' : 'MISS'],
      [
        'apiUsage = upstream ledger',
        '',
        'equal',
        apiUsage ? `${apiUsage.creditsRemaining}/${apiUsage.creditsUsedByThisServer} vs ${ledger.creditsRemaining}/${creditsSpent}` : 'no answer',
        usageMatches ? 'ok' : 'MISS',
      ],
    ];
    log('');
    log(table(['measure', 'reference gateway', 'target', 'ours', ''], rows));
    log('');
    log(`upstream calls by endpoint: ${JSON.stringify(callsByEndpoint)}; statuses ${JSON.stringify(statuses)}`);
    if (ledger.log.length !== upstream.length) log(`the sandbox also saw ${ledger.log.length - upstream.length} requests under other client ids`);
    log(`repeats of an identical earlier request answered 200: ${repeats} ${JSON.stringify(repeatsByEndpoint)}`);
    log(
      `floor (each distinct search page, count and expired list once): ${distinctNonLookup} calls, ${floorCredits} credits; no cache/coalescing/batching would need ${demand.calls} calls, ${demand.credits} credits`,
    );
    log(`credits charged in extensions.jobspikr, summed over the answers: ${chargedInAnswers}`);
    log(`errors by code: ${JSON.stringify(errorsByCode)}`);
    for (const o of withErrors.slice(0, 8))
      log(`  user ${o.user} ${o.kind} at ${(o.startedMs / 1000).toFixed(1)} s: ${o.errorCodes.join(',')}: ${o.errorMessages[0] ?? ''}`);
    const notes = countBy(
      ops.filter((o) => o.note),
      (o) => `${o.kind}: ${o.note}`,
    );
    if (Object.keys(notes).length) log(`steps made differently than scripted: ${JSON.stringify(notes)}`);
    log('');
    log(
      table(
        ['operation', 'count', 'with errors', 'upstream calls', 'credits', 'p50 ms', 'p95 ms'],
        kinds.map((k) => {
          const of = ops.filter((o) => o.kind === k);
          const lat = of.filter((o) => o.status !== 0).map((o) => o.latencyMs);
          return [
            k,
            String(of.length),
            String(of.filter((o) => o.errorCodes.length).length),
            String(of.reduce((s, o) => s + o.upstreamCalls, 0)),
            String(of.reduce((s, o) => s + o.creditsCharged, 0)),
            pct(lat, 50).toFixed(1),
            pct(lat, 95).toFixed(1),
          ];
        }),
      ),
    );
    const cpuPerOpMs = (appStats.cpuUs - appAtStart.cpuUs) / 1000 / ops.length;
    log(
      `\nran ${(wallMs / 1000).toFixed(1)} s (${((wallMs * speedup) / 1000).toFixed(0)} s of workload time); GraphQL process: RSS ${(appAtStart.rssBytes / 2 ** 20).toFixed(0)} MB at start, ${(appStats.rssBytes / 2 ** 20).toFixed(0)} MB after; CPU ${cpuPerOpMs.toFixed(2)} ms per operation`,
    );

    const result = {
      at: new Date().toISOString(),
      node: process.version,
      settings: { seed, users, operations, sessionSeconds: sessionMs / 1000, speedup, productionCredits: PRODUCTION_CREDITS },
      mode: 'processes: sandbox and GraphQL server each their own node process (bench/server.ts BENCH_ROLE=sandbox|app)',
      reference: REFERENCE,
      target: { maxUpstreamCalls: maxCalls, maxCredits, upstream429: 0, avoidableErrors: 0, apiUsageEqualsLedger: true },
      ours: {
        operations: ops.length,
        upstreamCalls: upstream.length,
        credits: creditsSpent,
        upstream429,
        responsesWithErrors: withErrors.length,
        errorsByCode,
        apiUsage: apiUsage && { creditsRemaining: apiUsage.creditsRemaining, creditsUsedByThisServer: apiUsage.creditsUsedByThisServer },
        ledger: { creditsRemaining: ledger.creditsRemaining, creditsSpent },
        apiUsageEqualsLedger: usageMatches,
      },
      pass: {
        calls: upstream.length <= maxCalls,
        credits: creditsSpent <= maxCredits,
        no429: upstream429 === 0,
        noAvoidableErrors: avoidable === 0,
        apiUsage: usageMatches,
      },
      detail: {
        callsByEndpoint,
        statuses,
        repeats,
        repeatsByEndpoint,
        floor: { calls: distinctNonLookup, credits: floorCredits },
        uncachedDemand: demand,
        creditsChargedInExtensions: chargedInAnswers,
        steps: countBy(ops, (o) => o.kind),
        notes,
        errors: withErrors.map((o) => ({
          user: o.user,
          kind: o.kind,
          atMs: Math.round(o.startedMs * speedup),
          codes: o.errorCodes,
          message: o.errorMessages[0],
        })),
        latencyMs: {
          p50: pct(
            ops.map((o) => o.latencyMs),
            50,
          ),
          p95: pct(
            ops.map((o) => o.latencyMs),
            95,
          ),
          max: pct(
            ops.map((o) => o.latencyMs),
            100,
          ),
        },
        wallSeconds: wallMs / 1000,
        appRssMbAtStart: appAtStart.rssBytes / 2 ** 20,
        appRssMb: appStats.rssBytes / 2 ** 20,
        appCpuMsPerOperation: cpuPerOpMs,
        expiredListTotals: countBy(
          ops.filter((o) => o.kind === 'expired' && o.totalCount !== undefined),
          (o) => String(o.totalCount),
        ),
      },
      upstreamLog: upstream.map((e) => ({
        atMs: Math.round((e.at - tStartEpoch) * speedup),
        endpoint: isLookup(e) ? 'data (lookup)' : e.endpoint,
        status: e.status,
        records: e.records,
        request: canon(e.body).slice(0, 300),
      })),
      operations: ops.map(({ errorMessages: _m, ...o }) => ({ ...o, startedMs: Math.round(o.startedMs), latencyMs: Math.round(o.latencyMs * 10) / 10 })),
    };
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    log(`results written to ${RESULTS}`);
  } finally {
    process.off('SIGINT', onSigint);
    await stopAll();
    await agent.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
