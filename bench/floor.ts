// The floor: the least a Node process must do to answer a search over JobsPikr, with nothing else
// (no GraphQL, no cache, no limits, no caller identity, no errors handled). It reads the request's
// JSON, sends the upstream body (the app's own, learned from the sandbox log, with the request's
// salary floor), JSON.parses the answer, keeps the selected fields of each record and writes the
// JSON answer. Measured beside the app in the same run, it tells which part of a row is the layer's
// and which part any Node process doing this job pays on these machines.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import { Pool } from 'undici';

export interface FloorOptions {
  /** POST /v2/data URL on the sandbox */
  dataUrl: string;
  headers: Record<string, string>;
  /** the upstream body with `@FLOOR@` where the salary floor goes */
  template: string;
  /** `raw`: node:http and JSON only; `yoga`: the same call behind graphql-yoga */
  kind: 'raw' | 'yoga';
}

const SDL = `
  type Query { jobs(filter: JobFilter!, first: Int): JobConnection! }
  input JobFilter { keywords: String, salary: SalaryRange }
  input SalaryRange { min: Float }
  type JobConnection { totalCount: Int, pageInfo: PageInfo!, nodes: [Job!]! }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type Job { uniqId: ID!, title: String, companyName: String, postDate: String, location: Location, salary: Salary, skills: [String!] }
  type Location { city: String, state: String, country: String }
  type Salary { from: Float, to: Float, currency: String }
`;

interface Answer {
  total_count?: number;
  next_cursor?: string;
  job_data?: Rec[];
}

type Rec = Record<string, unknown>;
const pick = (r: Rec) => ({
  uniqId: r.uniq_id,
  title: r.job_title,
  companyName: r.company_name,
  postDate: r.post_date,
  location: { city: r.city, state: r.state, country: r.country },
  salary: { from: r.salary_from ?? null, to: r.salary_to ?? null, currency: r.salary_currency ?? null },
  skills: r.skills ?? null,
});

export async function startFloor(o: FloorOptions): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(o.dataUrl);
  const pool = new Pool(target.origin, { connections: 32, pipelining: 1 });
  const [before, after] = o.template.split('@FLOOR@') as [string, string];
  const headers = { ...o.headers, 'content-type': 'application/json' };
  const search = async (min: number) => {
    const r = await pool.request({ path: target.pathname, method: 'POST', headers, body: `${before}${min}${after}` });
    const a = (await r.body.json()) as Answer;
    return {
      totalCount: a.total_count ?? null,
      pageInfo: { hasNextPage: !!a.next_cursor, endCursor: a.next_cursor ?? null },
      nodes: (a.job_data ?? []).map(pick),
    };
  };
  // The yoga floor keeps answers by salary floor (a Map, the oldest out past 1,000), so a repeated search is
  // answered from memory: the stack's own cost of a cached search, beside its cost of `{ __typename }`.
  const answers = new Map<number, Promise<unknown>>();
  const remembered = (min: number) => {
    let a = answers.get(min);
    if (!a) {
      a = search(min);
      answers.set(min, a);
      if (answers.size > 1_000) answers.delete(answers.keys().next().value as number);
    }
    return a;
  };
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: SDL,
      resolvers: { Query: { jobs: (_: unknown, args: { filter: { salary?: { min?: number } } }) => remembered(args.filter.salary?.min ?? 0) } },
    }),
    // Configured as src/server.ts configures yoga, where that costs nothing of the layer's own work:
    // no CORS, landing page or GraphiQL, and graphql-jit's compiled execution.
    logging: false,
    landingPage: false,
    graphiql: false,
    cors: false,
    plugins: [useGraphQlJit()],
  });
  const raw = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { variables: { f: { salary: { min: number } } } };
      void search(body.variables.f.salary.min).then((jobs) => {
        const text = JSON.stringify({ data: { jobs } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  const server = o.kind === 'yoga' ? createServer(yoga) : raw;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
