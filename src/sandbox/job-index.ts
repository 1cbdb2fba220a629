import type { RawJobRecord } from './data.js';
import { phraseForm, tokenize, valueTexts } from './text.js';

/** One bit (0/1) per record, in record order; queries are evaluated as whole-set operations on these. */
export type Bits = Uint8Array;

/** Pseudo-field for `query_string` without `default_field`/`fields`: every field of the record. */
export const ALL_FIELDS = '*';

interface FieldIndex {
  /** token -> ascending record indices */
  readonly tokens: Map<string, number[]>;
  /** whole lowercased value (per array element) -> ascending record indices, for wildcards like `San*` */
  readonly values: Map<string, number[]>;
  /** per record: phrase forms of its values joined by newlines (so a phrase never spans two elements) */
  readonly phrases: (string | null)[];
}

/**
 * Lazily built per-field indexes over the immutable data set. Building a field costs one pass over the
 * records the first time a query names it; later queries are map look-ups and set operations.
 */
export class JobIndex {
  readonly size: number;
  private readonly fields = new Map<string, FieldIndex>();
  private readonly numbers = new Map<string, Float64Array>();
  private readonly dates = new Map<string, (string | null)[]>();

  constructor(private readonly jobs: readonly RawJobRecord[]) {
    this.size = jobs.length;
  }

  none(): Bits {
    return new Uint8Array(this.size);
  }

  all(): Bits {
    return new Uint8Array(this.size).fill(1);
  }

  /** Records whose field holds `token` (after analysis) as one of its tokens. */
  matchToken(field: string, token: string): Bits {
    return this.fromPostings(this.field(field).tokens.get(token));
  }

  /** Records whose field holds the token sequence `tokens` contiguously (within one array element). */
  matchPhrase(field: string, tokens: readonly string[]): Bits {
    const out = this.none();
    if (tokens.length === 0) return out;
    const needle = phraseForm(tokens);
    const { phrases } = this.field(field);
    for (let i = 0; i < phrases.length; i++) {
      const text = phrases[i];
      if (text?.includes(needle)) out[i] = 1;
    }
    return out;
  }

  /** Records with a token or a whole value matching `pattern` (anchored, lowercase). */
  matchPattern(field: string, pattern: RegExp): Bits {
    const out = this.none();
    const index = this.field(field);
    for (const vocabulary of [index.tokens, index.values]) {
      for (const [word, postings] of vocabulary) {
        if (pattern.test(word)) for (const i of postings) out[i] = 1;
      }
    }
    return out;
  }

  /** Field present, not null, not an empty string or empty array. */
  exists(field: string): Bits {
    const out = this.none();
    this.jobs.forEach((job, i) => {
      const v = job[field];
      if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) out[i] = 1;
    });
    return out;
  }

  /** Records with a scalar value (or an array element) for which `test` holds. */
  matchValues(field: string, test: (value: string | number | boolean) => boolean): Bits {
    const out = this.none();
    this.jobs.forEach((job, i) => {
      const v = job[field];
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) {
        if ((typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') && test(item)) {
          out[i] = 1;
          break;
        }
      }
    });
    return out;
  }

  /** Numeric view of a field: numbers and numeric strings ("14.00") coerced, anything else NaN. */
  numeric(field: string): Float64Array {
    let cached = this.numbers.get(field);
    if (!cached) {
      cached = Float64Array.from(this.jobs, (job) => toNumber(job[field]));
      this.numbers.set(field, cached);
    }
    return cached;
  }

  /** Date view of a field: the leading `YYYY-MM-DD` of a string value (crawl_timestamp's date part), else null. */
  date(field: string): (string | null)[] {
    let cached = this.dates.get(field);
    if (!cached) {
      cached = this.jobs.map((job) => {
        const v = job[field];
        return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
      });
      this.dates.set(field, cached);
    }
    return cached;
  }

  private fromPostings(postings: readonly number[] | undefined): Bits {
    const out = this.none();
    if (postings) for (const i of postings) out[i] = 1;
    return out;
  }

  private field(name: string): FieldIndex {
    let index = this.fields.get(name);
    if (!index) {
      index = this.build(name);
      this.fields.set(name, index);
    }
    return index;
  }

  private build(name: string): FieldIndex {
    const tokens = new Map<string, number[]>();
    const values = new Map<string, number[]>();
    const phrases: (string | null)[] = [];
    const add = (map: Map<string, number[]>, key: string, i: number): void => {
      const list = map.get(key);
      if (!list) map.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    this.jobs.forEach((job, i) => {
      const texts = name === ALL_FIELDS ? Object.entries(job).flatMap(([field, value]) => valueTexts(field, value)) : valueTexts(name, job[name]);
      const forms: string[] = [];
      for (const text of texts) {
        const words = tokenize(text);
        for (const word of words) add(tokens, word, i);
        add(values, text.toLowerCase(), i);
        forms.push(phraseForm(words));
      }
      phrases.push(forms.length > 0 ? forms.join('\n') : null);
    });
    return { tokens, values, phrases };
  }
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
  return Number.NaN;
}

export function and(a: Bits, b: Bits): Bits {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) & (b[i] ?? 0);
  return a;
}

export function or(a: Bits, b: Bits): Bits {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) | (b[i] ?? 0);
  return a;
}

export function andNot(a: Bits, b: Bits): Bits {
  for (let i = 0; i < a.length; i++) if (b[i]) a[i] = 0;
  return a;
}
