/**
 * What a field may spend in job credits, stated beside the field as a schema extension
 * (`extensions.jobspikrCredits`); the credit estimate reads it from the schema.
 * - `count: 'first'`: the field buys up to `first` jobs (a search page);
 * - `count: 'one'`: it buys at most one job (a lookup);
 * - `count: { list }`: one job per item of that list argument (lookups by id);
 * - `below: 'first'`: it buys nothing itself, but the fields under it run once per item of a `first`-sized page;
 * - `free`: it returns jobs without charging the operation, and says why.
 */
export type CreditPrice = { count: 'first' | 'one' | { list: string } } | { below: 'first' } | { free: string };

export const CREDITS_EXTENSION = 'jobspikrCredits';

/** Field options' `extensions` carrying a price. */
export const priced = (price: CreditPrice): Record<string, CreditPrice> => ({ [CREDITS_EXTENSION]: price });

/** The price a schema field states; undefined when it states none. */
export const priceOf = (field: { readonly extensions?: unknown }): CreditPrice | undefined =>
  (field.extensions as Record<string, unknown> | undefined)?.[CREDITS_EXTENSION] as CreditPrice | undefined;
