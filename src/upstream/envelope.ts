import { z } from 'zod';
import { int, toCursor } from './coerce.js';

/** `job_data` may come as an array, or (from XML) as one element, or empty text. */
const items = z
  .union([z.array(z.unknown()), z.record(z.string(), z.unknown()), z.literal(''), z.null()])
  .optional()
  .transform((v): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []));

/**
 * `next_cursor`: absent or null ends the data; anything else must be a cursor we can send back
 * unchanged. One we cannot read is a broken response, not a silent end of the data.
 */
const nextCursor = z
  .unknown()
  .optional()
  .transform((v, ctx): string | null => {
    if (v === undefined || v === null || v === '') return null;
    const c = toCursor(v);
    if (c === null) ctx.addIssue({ code: 'custom', message: 'next_cursor is not a cursor' });
    return c;
  });

/** The envelope every JobsPikr response shares (CONTRACT §1-§4). */
export const EnvelopeSchema = z.object({
  status: z.enum(['success', 'no_data', 'error']),
  message: z.string().optional(),
  total_count: int.optional(),
  job_credit_remaining: int.optional(),
  next_cursor: nextCursor,
  job_data: items,
  aggregations: items,
});
export type Envelope = z.output<typeof EnvelopeSchema>;
