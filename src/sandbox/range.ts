import { type Bits, type JobIndex, toNumber } from './job-index.js';
import { QueryError } from './query-error.js';

export type RangeOp = 'gte' | 'gt' | 'lte' | 'lt';
export type RangeBounds = Partial<Record<RangeOp, unknown>>;

const DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Records whose `field` lies within `bounds`. All bounds numeric (numbers or numeric strings) → numeric
 * compare on the coerced field value; all bounds dates (`YYYY-MM-DD...`) → string compare of the date part
 * (so `crawl_timestamp` compares by its day). Records missing the field, or not coercible, never match.
 */
export function matchRange(index: JobIndex, field: string, bounds: RangeBounds, where: string): Bits {
  const entries = Object.entries(bounds).filter(([, v]) => v !== undefined) as [RangeOp, unknown][];
  if (entries.length === 0) throw new QueryError(`${where}: range needs at least one of gte, gt, lte, lt`);
  const numeric = entries.every(([, v]) => !Number.isNaN(toNumber(v)));
  const dated = entries.every(([, v]) => typeof v === 'string' && DATE.test(v));
  if (!numeric && !dated) throw new QueryError(`${where}: range bounds must all be numbers or all be YYYY-MM-DD dates`);
  const out = index.none();
  if (numeric) {
    const values = index.numeric(field);
    const tests = entries.map(([op, v]) => compare(op, toNumber(v)));
    values.forEach((value, i) => {
      if (!Number.isNaN(value) && tests.every((test) => test(value))) out[i] = 1;
    });
  } else {
    const values = index.date(field);
    const tests = entries.map(([op, v]) => compare(op, String(v).slice(0, 10)));
    values.forEach((value, i) => {
      if (value !== null && tests.every((test) => test(value))) out[i] = 1;
    });
  }
  return out;
}

function compare<T extends number | string>(op: RangeOp, bound: T): (value: T) => boolean {
  switch (op) {
    case 'gte':
      return (value) => value >= bound;
    case 'gt':
      return (value) => value > bound;
    case 'lte':
      return (value) => value <= bound;
    case 'lt':
      return (value) => value < bound;
  }
}
