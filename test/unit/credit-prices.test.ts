import { buildSchema, getNamedType, isInterfaceType, isObjectType, parse, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateOperation } from '../../src/plugins/operation-estimate.js';
import { priceOf } from '../../src/schema/credits.js';
import { schema } from '../../src/schema/index.js';

// Credit prices live beside the fields (extensions.jobspikrCredits); the estimate reads them from the schema.

/** Types whose job fields are priced by the field that returns them (a page prices its edges and nodes). */
const PRICED_BY_PARENT = /(Connection|Edge)$/;
const PAYING = new Set(['Job', 'ExpiredJob', 'JobConnection', 'ExpiredJobConnection', 'Node', '_Entity']);

function unpricedJobFields(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || PRICED_BY_PARENT.test(type.name)) continue;
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (PAYING.has(getNamedType(field.type).name) && !priceOf(field)) missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}

describe('credit prices beside the fields', () => {
  it('every field that returns jobs states its price', () => {
    expect(unpricedJobFields(schema)).toEqual([]);
  });

  it('a field returning jobs without a price is reported', () => {
    const sdl = 'type Query { job: Job, jobs: [Job!]!, count: Int } type Job { uniqId: String } type JobEdge { node: Job }';
    expect(unpricedJobFields(buildSchema(sdl))).toEqual(['Query.job', 'Query.jobs']);
  });

  it('the estimate follows a field price: change it and the estimate changes', () => {
    const field = schema.getQueryType()?.getFields().jobs;
    if (!field) throw new Error('no jobs field');
    const doc = parse('{ jobs(first: 7) { nodes { uniqId } } }');
    expect(estimateOperation(doc, undefined, {}).credits).toBe(7);
    const saved = field.extensions;
    try {
      Object.assign(field, { extensions: { ...saved, jobspikrCredits: { count: 'one' } } });
      expect(estimateOperation(doc, undefined, {}).credits).toBe(1);
      Object.assign(field, { extensions: { ...saved, jobspikrCredits: undefined } });
      expect(estimateOperation(doc, undefined, {}).credits).toBe(0);
    } finally {
      Object.assign(field, { extensions: saved });
    }
  });

  it('prices multiply through pages and fragments on the schema types', () => {
    const q = '{ expiredJobs(from: "2026-01-01", to: "2026-01-31", first: 5) { nodes { ...E } } } fragment E on ExpiredJob { job { uniqId } }';
    expect(estimateOperation(parse(q), undefined, {}).credits).toBe(5);
    expect(estimateOperation(parse('{ expiredJobs(from: "2026-01-01", to: "2026-01-31", first: 5) { nodes { uniqId } } }'), undefined, {}).credits).toBe(0);
    expect(estimateOperation(parse('{ jobsByUniqIds(uniqIds: ["a", "b", "c"]) { uniqId } }'), undefined, {}).credits).toBe(3);
  });
});
