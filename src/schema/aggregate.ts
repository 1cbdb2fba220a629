import { DEFAULT_BUCKETS, MAX_BUCKETS } from '../limits.js';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { AGGREGATE_FIELD, type AggregateFieldName } from '../upstream/adapters.js';
import type { AggregateBucket as Bucket } from '../upstream/records.js';
import { normalizeFilter } from '../filter.js';
import { JobFilter } from './inputs.js';

export const AggregateField = builder.enumType('AggregateField', {
  description: 'A job field to count by (`/v2/aggregate_data`).',
  values: Object.fromEntries(
    (Object.keys(AGGREGATE_FIELD) as AggregateFieldName[]).map((k) => [k, { value: k, description: `Upstream field \`${AGGREGATE_FIELD[k]}\`.` }]),
  ) as Record<AggregateFieldName, { value: AggregateFieldName; description: string }>,
});

export const AggregateBucket = builder.objectRef<Bucket>('AggregateBucket');
AggregateBucket.implement({
  description: 'A value and how many jobs have it; nested buckets when grouped.',
  fields: (t) => ({
    key: t.exposeString('key', { nullable: false, description: 'The field value (booleans as "true"/"false").' }),
    count: t.exposeInt('count', { nullable: false, description: 'Jobs with this value.' }),
    buckets: t.field({
      type: [AggregateBucket],
      nullable: false,
      description: 'With `groupBy`: counts of `field` inside this group (empty otherwise).',
      resolve: (b) => b.buckets,
    }),
  }),
});

builder.queryField('aggregate', (t) =>
  t.field({
    type: [AggregateBucket],
    nullable: false,
    description: 'Counts of `field` values, optionally inside buckets of `groupBy`: GET /v2/aggregate_data.',
    args: {
      field: t.arg({ type: AggregateField, required: true, description: 'The field to count.' }),
      groupBy: t.arg({ type: AggregateField, description: 'Group the counts by this field first.' }),
      filter: t.arg({ type: JobFilter, description: 'Only count jobs matching this filter (default: not expired).' }),
      limit: t.arg.int({ defaultValue: DEFAULT_BUCKETS, description: `Buckets per level, 1..${MAX_BUCKETS}.` }),
    },
    resolve: async (_, args, ctx, info) => {
      const limit = args.limit ?? DEFAULT_BUCKETS;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BUCKETS) throw badInput(`\`limit\` must be between 1 and ${MAX_BUCKETS}`);
      if (args.groupBy && args.groupBy === args.field) throw badInput('`groupBy` must differ from `field`');
      const r = await ctx.jobs.aggregate({ field: args.field, groupBy: args.groupBy ?? undefined, filter: normalizeFilter(args.filter), limit, op: ctx });
      ctx.usage.stale.at(r, info);
      return r.buckets;
    },
  }),
);
