import { priced } from './credits.js';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { digest } from '../budget/keys.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../limits.js';
import { isDeepPage, pageRequest, toConnection } from './connection.js';
import { normalizeFilter } from '../filter.js';
import { JobFilter } from './inputs.js';
import { PAGE_LIST_SIZE } from './cost.js';
import { isUniqId } from '../upstream/records.js';
import { Job, loadJob } from './job.js';

const uniqIdArg = (id: string): string => {
  const v = id.trim().toLowerCase();
  if (!isUniqId(v)) throw badInput('uniqId must be a JobsPikr uniq_id: 32 hexadecimal characters');
  return v;
};

builder.queryFields((t) => ({
  job: t.field({
    type: Job,
    description: 'One job by its JobsPikr uniq_id. Lookups from one request are batched into one upstream call.',
    args: { uniqId: t.arg.string({ required: true, description: 'JobsPikr `uniq_id`.' }) },
    extensions: priced({ count: 'one' }),
    resolve: (_, { uniqId }, ctx, info) => loadJob(ctx, uniqIdArg(uniqId), info),
  }),
  jobsByUniqIds: t.field({
    type: [Job],
    nullable: { list: false, items: true },
    description: 'Jobs by uniq_id, in the order asked, null where unknown. Batched with every other lookup of the request.',
    args: { uniqIds: t.arg.stringList({ required: true, description: `Up to ${MAX_PAGE_SIZE} uniq_ids.` }) },
    // A gateway cannot count a list argument: it prices the most ids this field takes.
    directives: { listSize: { assumedSize: MAX_PAGE_SIZE } },
    extensions: priced({ count: { list: 'uniqIds' } }),
    complexity: (args) => ({ field: Math.max(1, args.uniqIds.length), multiplier: 1 }),
    resolve: (_, { uniqIds }, ctx, info) => {
      if (uniqIds.length > MAX_PAGE_SIZE) throw badInput(`jobsByUniqIds takes at most ${MAX_PAGE_SIZE} ids`);
      const ids = uniqIds.map(uniqIdArg);
      return ids.map((id, i) => loadJob(ctx, id, info, i));
    },
  }),
  jobs: t.connection(
    {
      type: Job,
      nullable: false,
      description: 'Job search: POST /v2/data. Forward pagination only (JobsPikr cursors run forward).',
      args: { filter: t.arg({ type: JobFilter, description: 'What to search for (default: everything not expired).' }) },
      directives: { listSize: PAGE_LIST_SIZE },
      extensions: priced({ count: 'first' }),
      complexity: (args) => ({ field: 1, multiplier: Math.max(1, args.first ?? DEFAULT_PAGE_SIZE) }),
      resolve: async (_, args, ctx, info) => {
        const filter = normalizeFilter(args.filter);
        const q = digest({ jobs: filter });
        const req = pageRequest(args, q, ctx.cursors);
        const page = await ctx.jobs.search({ filter, size: req.size, cursor: req.cursor, op: ctx, deep: isDeepPage(req) });
        ctx.usage.stale.at(page, info);
        return toConnection(page, req, q, ctx.cursors);
      },
    },
    {
      name: 'JobConnection',
      description: 'A page of job search results.',
      fields: (c) => ({
        totalCount: c.int({ description: 'All hits of the search (`total_count`).', resolve: (p) => p.totalCount }),
      }),
    },
    { name: 'JobEdge', description: 'A job in a page of search results.' },
  ),
}));
