import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { printSchemaSdl } from '../../src/schema/print.js';
import { guardSchema } from '../helpers/schema-guard.js';

const BASELINE = fileURLToPath(new URL('../../schema/baseline.graphql', import.meta.url));
const baseline = readFileSync(BASELINE, 'utf8');

describe('breaking-change guard (schema/baseline.graphql, graphql-inspector)', () => {
  it('the schema breaks nothing a client saved against the committed baseline, and prices nothing differently', async () => {
    const report = await guardSchema(baseline, printSchemaSdl());
    const advice = 'if this is intended, run `npm run schema:baseline` and commit schema/baseline.graphql in the same change';
    expect(report.breaking, `breaking changes against the baseline; ${advice}`).toEqual([]);
    expect(report.pricing, `pricing changes (a gateway's demand control charges differently); ${advice}`).toEqual([]);
  });

  it('fails on a deliberately broken schema: a removed field, a changed argument and a removed enum value', async () => {
    const broken = baseline
      .replace(/\n\s*"""Title as posted\."""\n\s*title: String\n/, '\n')
      .replace('uniqId: String!\n  ): Job', 'uniqId: ID!\n  ): Job')
      .replace(/\n\s*"""[^"]*"""\n\s*MID\n/, '\n');
    expect(broken).not.toBe(baseline);
    const report = await guardSchema(baseline, broken);
    expect(report.breaking).toEqual([
      "Field 'title' was removed from object type 'Job'",
      "Type for argument 'uniqId' on field 'Query.job' changed from 'String!' to 'ID!'",
      "Enum value 'MID' was removed from enum 'SeniorityLevel'",
    ]);
  });

  it('reports a @cost/@listSize change as a pricing change, not as a breaking one', async () => {
    const repriced = baseline
      .replace(/type Job implements Node\n(\s+@key[^\n]*\n)+\s+@cost\(weight: 1\)/, (m) => m.replace('@cost(weight: 1)', '@cost(weight: 2)'))
      .replace('@listSize(assumedSize: 100)', '');
    const report = await guardSchema(baseline, repriced);
    expect(report.breaking).toEqual([]);
    expect(report.pricing).toEqual(['Job: @cost(weight: 1) -> @cost(weight: 2)', 'Query.nodes: @listSize(assumedSize: 100) -> (no price)']);
  });

  it('an added field or type (with its price) is neither breaking nor a pricing change', async () => {
    const added = `${baseline.replace('type Query {\n', 'type Query {\n  hello: Hello\n')}\ntype Hello @cost(weight: 0) { text: String }\n`;
    const report = await guardSchema(baseline, added);
    expect(report.breaking).toEqual([]);
    expect(report.pricing).toEqual([]);
    expect(report.other).toEqual(
      expect.arrayContaining([expect.stringMatching(/Field 'hello' was added to object type 'Query'/), expect.stringMatching(/Type 'Hello' was added/)]),
    );
  });
});
