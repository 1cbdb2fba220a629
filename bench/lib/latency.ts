import { Pool } from 'undici';
import { percentile } from './stats.js';

export interface LatencyRun {
  p50Ms: number;
  p90Ms: number;
  requests: number;
  failures: number;
}

/**
 * Closed-loop latency with microsecond resolution (autocannon's histogram has whole milliseconds, too
 * coarse for a 10% target on a ~20 ms request): `connections` workers, each sending its next request
 * when the previous answer has been read, for `durationMs` after a short warm-up.
 */
export async function measureLatency(o: {
  url: string;
  connections: number;
  durationMs: number;
  next: () => { headers: Record<string, string>; body: string };
}): Promise<LatencyRun> {
  const u = new URL(o.url);
  const pool = new Pool(u.origin, { connections: o.connections, keepAliveTimeout: 30_000 });
  const samples: number[] = [];
  let failures = 0;
  const once = async (record: boolean) => {
    const r = o.next();
    const t0 = process.hrtime.bigint();
    const res = await pool.request({ path: u.pathname, method: 'POST', headers: r.headers, body: r.body });
    const text = await res.body.text();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.statusCode !== 200 || text.includes('"errors"')) failures++;
    if (record) samples.push(ms);
  };
  const worker = async (until: number) => {
    for (let i = 0; i < 3; i++) await once(false);
    while (Date.now() < until) await once(true);
  };
  const until = Date.now() + o.durationMs;
  await Promise.all(Array.from({ length: o.connections }, () => worker(until)));
  await pool.close();
  return { p50Ms: percentile(samples, 50), p90Ms: percentile(samples, 90), requests: samples.length, failures };
}
