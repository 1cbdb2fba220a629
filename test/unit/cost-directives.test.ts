import { encodeGlobalID } from '@pothos/plugin-relay';
import { buildASTSchema, getNamedType, parse, type GraphQLArgument } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../src/limits.js';
import { estimateOperation } from '../../src/plugins/operation-estimate.js';
import { CREDITS_PER_JOB } from '../../src/schema/cost.js';
import { printSchemaSdl } from '../../src/schema/print.js';
import { demandCost, pricingProblems } from '../helpers/pricing.js';

const UNIQ = 'a'.repeat(32);
const SELECTION: Record<string, string> = {
  Job: '{ uniqId }',
  ExpiredJob: '{ uniqId job { uniqId } }',
  JobConnection: '{ nodes { uniqId } }',
  ExpiredJobConnection: '{ nodes { uniqId job { uniqId } } }',
  Node: '{ id }',
};

/** A sample value for a root field's argument: the most ids a list takes, `first` 7, any date. */
function sample(a: GraphQLArgument): string | undefined {
  const t = String(a.type);
  if (a.name === 'first') return '7';
  if (!t.endsWith('!')) return undefined;
  const ids = (id: string) => `[${Array.from({ length: MAX_PAGE_SIZE }, () => JSON.stringify(id)).join(', ')}]`;
  if (t === 'String!') return JSON.stringify(UNIQ);
  if (t === 'ID!') return JSON.stringify(encodeGlobalID('Job', UNIQ));
  if (t === '[String!]!') return ids(UNIQ);
  if (t === '[ID!]!') return ids(encodeGlobalID('Job', UNIQ));
  if (t === 'Date!') return '"2026-01-01"';
  throw new Error(`no sample for ${a.name}: ${t}`);
}

/** For every root field that returns jobs: an operation, our estimate and the gateway's price from the directives. */
function compareEveryPayingField(sdl: string): { field: string; ours: number; gateway: number }[] {
  const query = buildASTSchema(parse(sdl), { assumeValidSDL: true }).getQueryType();
  return Object.values(query?.getFields() ?? {})
    .filter((f) => getNamedType(f.type).name in SELECTION)
    .map((f) => {
      const args = f.args.flatMap((a) => {
        const v = sample(a);
        return v === undefined ? [] : [`${a.name}: ${v}`];
      });
      const op = `{ ${f.name}${args.length ? `(${args.join(', ')})` : ''} ${SELECTION[getNamedType(f.type).name]} }`;
      return { field: f.name, ours: estimateOperation(parse(op), undefined, {}).credits, gateway: demandCost(sdl, op) };
    });
}

describe('demand-control prices in the subgraph SDL', () => {
  const sdl = printSchemaSdl();

  it('links Federation 2.9 and imports @cost and @listSize', () => {
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.9", import: \[[^\]]*"@cost", "@listSize"\]\)/);
  });

  it('prices every field that returns jobs: Job at its credits, every list and page of jobs sized, everything else free', () => {
    expect(pricingProblems(sdl, CREDITS_PER_JOB)).toEqual([]);
  });

  it('fails for a new field returning jobs with no price, a page that is not sized, and a type without @cost', () => {
    const broken = `${sdl}
extend type Query { similarJobs(uniqId: String!): [Job!]! moreJobs(first: Int): JobConnection! }
type Recommendation { score: Int! }`;
    expect(pricingProblems(broken, CREDITS_PER_JOB)).toEqual([
      'Query.similarJobs: a list of Job without @listSize',
      'Query.moreJobs: a page of JobConnection not sized by first on edges and nodes',
      'Recommendation: no @cost',
    ]);
  });

  it('prices every root field that returns jobs as the credit estimate does (field by field, from the schema)', () => {
    const rows = compareEveryPayingField(sdl);
    expect(rows.map((r) => r.field).sort()).toEqual(expect.arrayContaining(['expiredJobs', 'job', 'jobs', 'jobsByUniqIds', 'node', 'nodes']));
    for (const r of rows) expect({ field: r.field, gateway: r.gateway }).toEqual({ field: r.field, gateway: r.ours });
    expect(rows.find((r) => r.field === 'jobs')?.ours).toBe(7);
  });

  it('catches a new paying field the estimate does not know', () => {
    const more = `${sdl}\nextend type Query { similarJobs(first: Int = 10): JobConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"]) }\n`;
    expect(compareEveryPayingField(more).find((r) => r.field === 'similarJobs')).toEqual({ field: 'similarJobs', ours: 0, gateway: 7 });
  });
});
