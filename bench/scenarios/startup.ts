import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/free-port.js';
import { runBuild, startFlags, stopChild, type Pair } from '../lib/proc.js';
import { spread, type Spread } from '../lib/stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface StartupResults {
  /** what was started: the production build */
  command: string;
  readyMs: Spread;
  /** RSS right after ready */
  rssMb: Spread;
}

const rssMbOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * Start to ready: the production entry point (`node dist/index.js`, built first by `npm run build`'s
 * script so that it is the current sources) with `npm start`'s flags, over the pair's sandbox with
 * keys, from spawn until `/healthz` answers 200; every round a fresh process.
 */
export async function runStartup(pair: Pair, rounds: number): Promise<StartupResults> {
  runBuild();
  const args = [...startFlags(), 'dist/index.js'];
  const ready: number[] = [];
  const rss: number[] = [];
  const keys = pair.keyHeaders;
  for (let round = 0; round < rounds; round++) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: 'ignore',
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        JOBSPIKR_BASE_URL: pair.dataUrl.replace(/\/data$/, ''),
        JOBSPIKR_FALLBACK_BASE_URL: pair.dataUrl.replace(/\/data$/, ''),
        JOBSPIKR_CLIENT_ID: keys.client_id ?? '',
        JOBSPIKR_CLIENT_AUTH_KEY: keys.client_auth_key ?? '',
      },
    });
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before ready`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (performance.now() - t0 > 60_000) throw new Error('server not ready in 60 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      ready.push(performance.now() - t0);
      rss.push(rssMbOf(child.pid ?? 0));
    } finally {
      await stopChild(child);
    }
  }
  return { command: `node ${args.join(' ')}`, readyMs: spread(ready), rssMb: spread(rss) };
}
