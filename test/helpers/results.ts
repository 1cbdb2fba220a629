import { z } from 'zod';
import type { GqlResult } from './stack.js';

/** The answer's `data`; throws (with the errors) when there is none, so a failed request fails the test here. */
export function dataOf<TData>(r: GqlResult<TData>): TData {
  const { data } = r.body;
  if (data === null || data === undefined) throw new Error(`no data: ${JSON.stringify(r.body.errors)}`);
  return data;
}

/** `data` of an operation sent as a string, read through a schema of what the test selected. */
export function readData<S extends z.ZodType>(r: GqlResult, schema: S): z.infer<S> {
  return schema.parse(dataOf(r));
}

/** `extensions.code` of the first error. */
export const codeOf = (r: GqlResult<unknown>): unknown => r.body.errors?.[0]?.extensions?.code;

/** `extensions.code` of every error, in order. */
export const codesOf = (r: GqlResult<unknown>): unknown[] => (r.body.errors ?? []).map((e) => e.extensions?.code);

const Usage = z.looseObject({
  creditsCharged: z.number(),
  creditsSavedByCache: z.number(),
  creditsRemaining: z.number().nullable(),
  upstreamCalls: z.number(),
});
export type Usage = z.infer<typeof Usage>;

/** `extensions.jobspikr` of an operation that ran (extra keys are kept, so `toEqual` still sees them). */
export const usageOf = (r: GqlResult<unknown>): Usage => Usage.parse(r.body.extensions?.jobspikr);
