import { z } from 'zod';
import { cursor, int } from './coerce.js';

/** `job_data` may come as an array, or (from XML) as one element, or empty text. */
const items = z
  .union([z.array(z.unknown()), z.record(z.string(), z.unknown()), z.literal(''), z.null()])
  .optional()
  .transform((v): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []));

/** The envelope every JobsPikr response shares (CONTRACT §1-§4). */
export const EnvelopeSchema = z.object({
  status: z.enum(['success', 'no_data', 'error']),
  message: z.string().optional(),
  total_count: int.optional(),
  job_credit_remaining: int.optional(),
  next_cursor: cursor.optional(),
  job_data: items,
  aggregations: items,
});
export type Envelope = z.output<typeof EnvelopeSchema>;
