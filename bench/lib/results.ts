import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../results.json', import.meta.url));

/** Merge `part` into bench/results.json (the main bench and the load test write separate keys). */
export function saveResults(part: Record<string, unknown>): void {
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // first run: no file yet
  }
  writeFileSync(RESULTS_FILE, `${JSON.stringify({ ...previous, ...part }, null, 2)}\n`);
}
