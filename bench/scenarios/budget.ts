import { gql, rest, type GqlBody } from '../lib/http.js';
import type { Pair } from '../lib/proc.js';
import { everyField } from '../lib/selection.js';
import type { UpstreamStats } from '../protocol.js';

export interface BudgetResults {
  lookups: { aliases: number; upstreamCalls: number; found: number; errors: number };
  aggregates: { queries: number; shapes: number; upstreamCalls: number; errors: number };
  moreShapes: { shapes: number; upstreamCallsThisMinute: number; upstream429: number; answered: number; rateLimited: number; otherErrors: number };
  messy: { records: number; pages: number; upstreamCalls: number; fieldErrors: number; fieldsSelected: number };
}

const MATCH_ALL = { bool: { must: [{ query_string: { default_field: 'job_title', query: '*' } }] } };

async function upstream(pair: Pair): Promise<UpstreamStats> {
  const r = await pair.sandbox.send({ cmd: 'stats' });
  if (!r.upstream) throw new Error('no upstream stats');
  return r.upstream;
}

const codes = (bodies: GqlBody[]) => bodies.flatMap((b) => (b.errors ?? []).map((e) => e.extensions?.code ?? 'NONE'));

/** 25 job lookups as 25 aliased fields, on ids this server has never seen (no record cache help). */
async function lookups(pair: Pair): Promise<BudgetResults['lookups']> {
  const page = await rest(pair.dataUrl, pair.keyHeaders, { search_query_json: MATCH_ALL, size: 100 });
  const ids = ((page.body.job_data ?? []) as { uniq_id: string }[]).slice(-25).map((j) => j.uniq_id);
  if (ids.length !== 25) throw new Error('sandbox returned too few records');
  await pair.sandbox.send({ cmd: 'clearLog' });
  const query = `{ ${ids.map((id, i) => `j${i}: job(uniqId: "${id}") { uniqId title }`).join(' ')} }`;
  const r = await gql(pair.url, query);
  const found = Object.values(r.body.data ?? {}).filter((v) => v !== null).length;
  return { aliases: 25, upstreamCalls: (await upstream(pair)).calls.data, found, errors: r.body.errors?.length ?? 0 };
}

type Shape = { field: string; groupBy?: string; filter?: Record<string, unknown> };
const FIRST_SHAPES: Shape[] = [
  { field: 'CATEGORY' },
  { field: 'CITY' },
  { field: 'JOB_TYPE', groupBy: 'SENIORITY' },
  { field: 'COMPANY', filter: { country: 'US' } },
  { field: 'REMOTE' },
];
const MORE_SHAPES: Shape[] = [
  { field: 'JOB_BOARD' },
  { field: 'STATE' },
  { field: 'COUNTRY' },
  { field: 'SENIORITY' },
  { field: 'POST_DATE' },
  { field: 'CATEGORY', groupBy: 'COUNTRY' },
  { field: 'CITY', groupBy: 'CATEGORY' },
  { field: 'SENIORITY', groupBy: 'REMOTE' },
  { field: 'JOB_TYPE', filter: { remote: true } },
  { field: 'COMPANY' },
  { field: 'STATE', groupBy: 'SENIORITY' },
  { field: 'CATEGORY', filter: { keywords: 'nurse' } },
];
const AGGREGATE = `query Counts($field: AggregateField!, $groupBy: AggregateField, $filter: JobFilter) {
  aggregate(field: $field, groupBy: $groupBy, filter: $filter) { key count buckets { key count } }
}`;
const ask = (pair: Pair, s: Shape) => gql(pair.url, AGGREGATE, { field: s.field, groupBy: s.groupBy ?? null, filter: s.filter ?? null }).then((r) => r.body);

/** Rows 5 and 6: 60 concurrent queries of 5 shapes, then 12 more shapes in the same minute. */
async function aggregates(pair: Pair): Promise<Pick<BudgetResults, 'aggregates' | 'moreShapes'>> {
  await pair.sandbox.send({ cmd: 'clearLog' });
  const first = await Promise.all(Array.from({ length: 60 }, (_, i) => ask(pair, FIRST_SHAPES[i % 5] as Shape)));
  const afterFirst = await upstream(pair);
  const more = await Promise.all(MORE_SHAPES.map((s) => ask(pair, s)));
  const afterMore = await upstream(pair);
  const moreCodes = codes(more);
  return {
    aggregates: { queries: 60, shapes: 5, upstreamCalls: afterFirst.calls.aggregate_data, errors: codes(first).length },
    moreShapes: {
      shapes: MORE_SHAPES.length,
      upstreamCallsThisMinute: afterMore.calls.aggregate_data,
      upstream429: afterMore.statuses['429'] ?? 0,
      answered: more.filter((b) => !b.errors && b.data?.aggregate).length,
      rateLimited: moreCodes.filter((c) => c === 'RATE_LIMITED').length,
      otherErrors: moreCodes.filter((c) => c !== 'RATE_LIMITED').length,
    },
  };
}

/** Row 7: 1,000 sandbox records (its usual mix of messy, duplicate and near-empty ones), every Job field. */
async function messy(pair: Pair): Promise<BudgetResults['messy']> {
  const selection = await everyField(pair.url, 'Job');
  const query = `query All($after: String) { jobs(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`;
  await pair.sandbox.send({ cmd: 'clearLog' });
  let after: string | null = null;
  let records = 0;
  let fieldErrors = 0;
  let pages = 0;
  while (records < 1000) {
    const r = await gql(pair.url, query, { after });
    pages++;
    fieldErrors += r.body.errors?.length ?? 0;
    const jobs = r.body.data?.jobs as { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] } | undefined;
    if (!jobs) break;
    records += jobs.nodes.length;
    if (!jobs.pageInfo.hasNextPage) break;
    after = jobs.pageInfo.endCursor;
  }
  return {
    records,
    pages,
    upstreamCalls: (await upstream(pair)).calls.data,
    fieldErrors,
    fieldsSelected: selection.split(/\s+/).filter((w) => /^\w+$/.test(w)).length,
  };
}

/** Rows 4-7: upstream call counts on a server and sandbox with the contract's real limits. */
export async function runBudget(pair: Pair): Promise<BudgetResults> {
  const l = await lookups(pair);
  const a = await aggregates(pair);
  const m = await messy(pair);
  return { lookups: l, ...a, messy: m };
}
