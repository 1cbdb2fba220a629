import { readFileSync } from 'node:fs';
import { astFromValue, print, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { printSchemaSdl } from '../../src/schema/print.js';

/**
 * `name(arg: Type = default, ...): Type`, the way SURFACE.md writes a field, arguments in name order
 * (the federation plugin sorts the schema, so declaration order is not kept).
 */
function signature(f: GraphQLField<unknown, unknown>): string {
  const args = [...f.args]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => {
      const def = a.defaultValue === undefined ? '' : ` = ${print(astFromValue(a.defaultValue, a.type) ?? { kind: 'NullValue' as never })}`;
      return `${a.name}: ${a.type.toString()}${def}`;
    });
  return `${f.name}${args.length ? `(${args.join(', ')})` : ''}: ${f.type.toString()}`;
}

const fields = (type: string) => {
  const t = schema.getType(type) as GraphQLObjectType | undefined;
  if (!t) throw new Error(`no type ${type}`);
  return Object.values(t.getFields()).map(signature);
};

describe('schema/schema.graphql', () => {
  it('is the SDL printed from the Pothos schema (run `npm run codegen` after changing the schema)', () => {
    const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printSchemaSdl());
  });

  it('has the root fields of SURFACE.md with their exact arguments and defaults', () => {
    const query = fields('Query');
    for (const s of [
      'node(id: ID!): Node',
      'nodes(ids: [ID!]!): [Node]!',
      'job(uniqId: String!): Job',
      'jobsByUniqIds(uniqIds: [String!]!): [Job]!',
      'aggregate(field: AggregateField!, filter: JobFilter, groupBy: AggregateField, limit: Int = 10): [AggregateBucket!]!',
      'apiUsage: ApiUsage!',
    ]) {
      expect(query).toContain(s);
    }
    // `last`/`before` exist only to be refused with a clear BAD_USER_INPUT message.
    expect(query).toContain('jobs(after: String, before: String, filter: JobFilter, first: Int = 10, last: Int): JobConnection!');
    expect(query).toContain('expiredJobs(after: String, before: String, first: Int = 10, from: Date!, last: Int, to: Date!): ExpiredJobConnection!');
  });

  it('has the object fields of SURFACE.md', () => {
    expect(fields('JobConnection')).toEqual(expect.arrayContaining(['edges: [JobEdge!]!', 'nodes: [Job!]!', 'pageInfo: PageInfo!', 'totalCount: Int']));
    expect(fields('JobEdge')).toEqual(expect.arrayContaining(['cursor: String!', 'node: Job!']));
    expect(fields('ExpiredJobConnection')).toEqual(
      expect.arrayContaining(['edges: [ExpiredJobEdge!]!', 'nodes: [ExpiredJob!]!', 'pageInfo: PageInfo!', 'totalCount: Int']),
    );
    expect(fields('PageInfo')).toEqual(
      expect.arrayContaining(['hasNextPage: Boolean!', 'hasPreviousPage: Boolean!', 'startCursor: String', 'endCursor: String']),
    );
    expect(fields('AggregateBucket').sort()).toEqual(['key: String!', 'count: Int!', 'buckets: [AggregateBucket!]!'].sort());
    expect(fields('ApiUsage').sort()).toEqual(
      ['sandbox: Boolean!', 'creditsRemaining: Int', 'creditsUsedByThisServer: Int!', 'limits: [RateLimitBudget!]!', 'caller: CallerUsage'].sort(),
    );
    // Second release.
    expect(fields('CallerUsage').sort()).toEqual(['id: String!', 'creditsUsed: Int!', 'creditQuota: Int', 'creditsLeft: Int', 'resetsAt: DateTime'].sort());
    expect(fields('RateLimitBudget').sort()).toEqual(
      ['endpoint: String!', 'limitPerMinute: Int!', 'remainingThisMinute: Int!', 'limitPerHour: Int!', 'remainingThisHour: Int!', 'resetAt: DateTime'].sort(),
    );
    expect(fields('Job')).toEqual(
      expect.arrayContaining([
        'id: ID!',
        'uniqId: String!',
        'url: String',
        'title: String',
        'normalizedTitle: String',
        'category: String',
        'companyName: String',
        'description: String',
        'jobType: String',
        'jobBoard: String',
        'postDate: Date',
        'crawledAt: DateTime',
        'validThrough: Date',
        'hasExpired: Boolean',
        'isRemote: Boolean',
        'seniority: SeniorityLevel',
        'skills: [String!]!',
        'location: Location!',
        'salary: Salary',
        'applyUrl: String',
      ]),
    );
    expect(fields('ExpiredJob')).toEqual(expect.arrayContaining(['id: ID!', 'uniqId: String!', 'url: String', 'expiredOn: Date', 'job: Job']));
  });

  it('declares the federation keys of SURFACE.md', () => {
    const sdl = printSchemaSdl();
    expect(sdl).toMatch(/type Job implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "uniqId"\)/);
    expect(sdl).toMatch(/type ExpiredJob implements Node\s+@key\(fields: "id"\)/);
  });
});
