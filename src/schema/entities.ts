import { decodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { ExpiredJob, loadExpiredJob } from './expired-job.js';
import { Job, loadJob } from './job.js';

/** The uniq_id inside a global ID of `typename`, or null when the ID is not one. */
function uniqIdOf(id: string, typename: string): string | null {
  try {
    const g = decodeGlobalID(id);
    return g.typename === typename ? g.id : null;
  } catch {
    return null;
  }
}

const jobByRef = (ref: { id: string } | { uniqId: string }, ctx: Context) => {
  const uniqId = 'uniqId' in ref ? ref.uniqId.toLowerCase() : uniqIdOf(ref.id, 'Job');
  return uniqId ? loadJob(ctx, uniqId) : null;
};

// Federation v2 entities: other subgraphs reference jobs by global id or by uniq_id; references
// from one gateway request go through the same batching loader as everything else.
builder.asEntity(Job, {
  key: [builder.selection<{ id: string }>('id'), builder.selection<{ uniqId: string }>('uniqId')],
  resolveReference: jobByRef,
});

builder.asEntity(ExpiredJob, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: (ref, ctx) => {
    const uniqId = uniqIdOf(ref.id, 'ExpiredJob');
    return uniqId ? loadExpiredJob(ctx, uniqId) : null;
  },
});
