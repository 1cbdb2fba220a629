import { describe, expect, it } from 'vitest';
import { CREDITS_PER_JOB } from '../../src/schema/cost.js';
import { printSchemaSdl } from '../../src/schema/print.js';
import { pricingProblems } from '../helpers/pricing.js';

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
});
