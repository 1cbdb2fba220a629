import type { Spread } from './stats.js';

export interface Row {
  id: string;
  measure: string;
  target: string;
  /** the figure compared with the target (a median for measured rows) */
  value: number;
  spread?: Spread;
  unit: string;
  pass: boolean;
  detail?: string;
}

const fmt = (n: number, unit: string) =>
  unit === '×'
    ? `${n.toFixed(2)}×`
    : unit === 'ms'
      ? `${n.toFixed(3)} ms`
      : unit === 'MB'
        ? `${n.toFixed(n < 10 ? 2 : 0)} MB`
        : unit === 's'
          ? `${n.toFixed(2)} s`
          : unit === 'KB'
            ? `${n.toFixed(1)} KB`
            : `${n}`;

/** A plain-text table with a header row, columns padded to their widest cell. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** A plain-text table: measure, target, median, min-max over rounds, verdict. */
export function table(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.measure,
    r.target,
    fmt(r.value, r.unit),
    r.spread && r.spread.rounds.length > 1 ? `${fmt(r.spread.min, r.unit)} - ${fmt(r.spread.max, r.unit)}` : '',
    r.pass ? 'ok' : 'MISS',
    r.detail ?? '',
  ]);
  return textTable(['measure', 'target', 'median / value', 'min - max', '', 'detail'], cells);
}
