import { priced } from './credits.js';
import { DEFAULT_PAGE_SIZE } from '../limits.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { digest } from '../budget/keys.js';
import { badInput } from '../errors.js';
import type { ExpiredRecord } from '../upstream/records.js';
import { isDeepPage, pageRequest, toConnection } from './connection.js';
import { DateScalar } from './scalars.js';
import { PAGE_LIST_SIZE } from './cost.js';
import { isUniqId } from '../upstream/records.js';
import { Job, loadJob } from './job.js';

const isExpiredRecord = (v: unknown): v is ExpiredRecord => typeof v === 'object' && v !== null && 'expiredOn' in v && !('companyName' in v);

/**
 * One expired job by uniq_id. No upstream call fetches a single expired job, so it is derived from
 * the (batched, cached) job record; its expiry date is unknown then.
 */
export async function loadExpiredJob(ctx: Context, uniqId: string): Promise<ExpiredRecord | null> {
  const job = isUniqId(uniqId) ? await loadJob(ctx, uniqId) : null;
  if (!job?.hasExpired) return null;
  return { uniqId: job.uniqId, cursor: null, url: job.url, expiredOn: null, lastExpiryCheck: job.lastExpiryCheck };
}

export const ExpiredJob = builder.node(builder.objectRef<ExpiredRecord>('ExpiredJob'), {
  description: 'A job this API key consumed that has since expired (`/v2/expired_jobs`).',
  id: { resolve: (e) => e.uniqId },
  isTypeOf: isExpiredRecord,
  loadOne: (id, ctx) => loadExpiredJob(ctx, id),
  fields: (t) => ({
    uniqId: t.exposeString('uniqId', { nullable: false, description: 'JobsPikr `uniq_id`.' }),
    url: t.exposeString('url', { description: 'Where the posting was found.' }),
    expiredOn: t.field({ type: DateScalar, resolve: (e) => e.expiredOn, description: 'Date the posting expired.' }),
    lastExpiryCheck: t.field({ type: DateScalar, resolve: (e) => e.lastExpiryCheck, description: 'When expiry was last checked.' }),
    job: t.field({
      type: Job,
      description: 'The full job, looked up through a batched call.',
      extensions: priced({ count: 'one' }),
      resolve: (e, _, ctx, info) => loadJob(ctx, e.uniqId, info),
    }),
  }),
});

builder.queryFields((t) => ({
  expiredJobs: t.connection(
    {
      type: ExpiredJob,
      nullable: false,
      description: 'Consumed jobs that expired in [from, to]: GET /v2/expired_jobs.',
      args: {
        from: t.arg({ type: DateScalar, required: true, description: 'First day (inclusive).' }),
        to: t.arg({ type: DateScalar, required: true, description: 'Last day (inclusive).' }),
      },
      directives: { listSize: PAGE_LIST_SIZE },
      extensions: priced({ below: 'first' }),
      complexity: (args) => ({ field: 1, multiplier: Math.max(1, args.first ?? DEFAULT_PAGE_SIZE) }),
      resolve: async (_, args, ctx, info) => {
        if (args.from > args.to) throw badInput('`from` must not be after `to`');
        const q = digest({ expired: [args.from, args.to] });
        const req = pageRequest(args, q, ctx.cursors);
        const page = await ctx.jobs.expired({ from: args.from, to: args.to, size: req.size, cursor: req.cursor, op: ctx, deep: isDeepPage(req) });
        ctx.usage.stale.at(page, info);
        return toConnection(page, req, q, ctx.cursors);
      },
    },
    {
      name: 'ExpiredJobConnection',
      description: 'A page of expired jobs.',
      fields: (c) => ({
        totalCount: c.int({ description: 'All expired jobs in the range (`total_count`).', resolve: (p) => p.totalCount }),
      }),
    },
    { name: 'ExpiredJobEdge', description: 'An expired job in a page.' },
  ),
}));
