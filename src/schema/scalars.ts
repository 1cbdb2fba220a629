import { Kind } from 'graphql';
import { builder } from '../builder.js';
import { badInput as bad } from '../errors.js';

/** A real calendar date as `YYYY-MM-DD`, or null. */
export function parseDate(v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v ? v : null;
}

function date(v: unknown): string {
  const s = typeof v === 'string' ? parseDate(v) : null;
  if (s === null) throw bad('Date must be a calendar date written YYYY-MM-DD');
  return s;
}

export const DateScalar = builder.scalarType('Date', {
  description: 'A calendar date, `YYYY-MM-DD` (ISO 8601), without time or zone.',
  serialize: (v) => v,
  parseValue: date,
  parseLiteral: (ast) => date(ast.kind === Kind.STRING ? ast.value : undefined),
});

function dateTime(v: unknown): string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw bad('DateTime must be ISO 8601 with an offset, e.g. 2026-01-31T09:30:00Z');
  }
  return v;
}

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An instant, ISO 8601 with an offset (e.g. `2026-01-31T09:30:00+00:00`).',
  serialize: (v) => v,
  parseValue: dateTime,
  parseLiteral: (ast) => dateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
