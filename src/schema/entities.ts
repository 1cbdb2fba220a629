import { decodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLSchema } from 'graphql';
import { badInput } from '../errors.js';
import { MAX_IDS_PER_FIELD } from '../limits.js';
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

/** The key fields each entity type takes in a representation (every one a string). */
const REPRESENTATION_KEYS: Readonly<Record<string, readonly string[]>> = { Job: ['id', 'uniqId'], ExpiredJob: ['id'] };

/** A representation as the gateway must send it: a known `__typename` and one or more of its key fields, as strings. */
function checkRepresentation(r: unknown, i: number): void {
  const bad = (why: string) => badInput(`_entities: representation ${i} ${why}`);
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad('is not an object');
  const typename = (r as Record<string, unknown>).__typename;
  const keys = typeof typename === 'string' && Object.hasOwn(REPRESENTATION_KEYS, typename) ? REPRESENTATION_KEYS[typename] : undefined;
  if (!keys) throw bad('has no __typename of this subgraph (Job or ExpiredJob)');
  const fields = Object.keys(r).filter((k) => k !== '__typename');
  if (fields.length === 0) throw bad(`has none of ${typename}'s key fields (${keys.join(', ')})`);
  for (const k of fields) {
    if (!keys.includes(k)) throw bad(`has a field ${typename} has no key on`);
    if (typeof (r as Record<string, unknown>)[k] !== 'string') throw bad(`field ${k} must be a string`);
  }
}

/**
 * `_entities` (added by the federation plugin) checked at the edge like `nodes`: at most
 * MAX_IDS_PER_FIELD representations, each well formed, before any lookup is made. A malformed one is
 * the caller's error (BAD_USER_INPUT), not a crash inside a reference resolver.
 */
export function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (!field || !resolve) return schema;
  field.resolve = (source, args: { representations?: unknown }, ctx, info) => {
    const reps = args.representations;
    if (!Array.isArray(reps)) throw badInput('_entities takes a list of representations');
    if (reps.length > MAX_IDS_PER_FIELD) throw badInput(`_entities takes at most ${MAX_IDS_PER_FIELD} representations`);
    reps.forEach(checkRepresentation);
    return resolve(source, args, ctx, info);
  };
  return schema;
}
