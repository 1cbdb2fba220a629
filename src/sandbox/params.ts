import type { Format } from './reply.js';

/** A parameter the sandbox rejects: answered 400 with this message. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/** A query-string value written as an integer becomes a number; anything else is left for the parsers to reject. */
export function queryInt(value: string | undefined): unknown {
  return value !== undefined && /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/** An integer size in [1, max] (a JSON number: "10" is rejected); `fallback` when absent. */
export function parseSize(value: unknown, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ParamError(`size must be an integer between 1 and ${max}`);
  }
  return value;
}

/** A cursor (a JSON integer); undefined when absent. `null` is rejected: a client must stop on a null cursor. */
export function parseCursor(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ParamError('cursor must be an integer');
  return value;
}

export function parseFormat(value: unknown): Format {
  if (value === undefined || value === 'json') return 'json';
  if (value === 'xml') return 'xml';
  throw new ParamError('format must be "json" or "xml"');
}

/** A real calendar day written YYYY-MM-DD. */
export function parseDay(value: unknown, name: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ParamError(`${name} must be a date YYYY-MM-DD`);
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) throw new ParamError(`${name} is not a valid date`);
  return value;
}
