// Two scenarios of the throughput pair in alternating rounds on the same processes, for A/B checks of
// one change (run it before and after): req/s and CPU per request of each, and the median ratio.
//   npx tsx bench/ab.ts [a] [b] [seconds] [rounds]      e.g. `cached typename 4 3` (the defaults)
// Scenarios: uncached, cached, typename (GraphQL process), direct (the sandbox's /v2/data).
import { agent } from './lib/http.js';
import { cannon } from './lib/cannon.js';
import { cpuPerAnswer, startPair } from './lib/proc.js';
import { spread } from './lib/stats.js';
import { searchBodies } from './scenarios/search.js';

async function main(): Promise<void> {
  const [a = 'cached', b = 'typename'] = process.argv.slice(2, 4);
  const seconds = Number(process.argv[4] ?? 4);
  const rounds = Number(process.argv[5] ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const pair = await startPair({ limits: 'unlimited' });
  try {
    const bodies = await searchBodies(pair);
    const scenario = (kind: string) => {
      if (kind === 'direct') return { url: pair.dataUrl, headers: pair.keyHeaders, next: bodies.uncachedRest };
      const next = { cached: bodies.cachedGql, typename: bodies.typename, uncached: bodies.uncachedGql }[kind];
      if (!next) throw new Error(`unknown scenario ${kind}`);
      return { url: pair.url, headers: undefined, next };
    };
    const run = async (kind: string) => {
      const { run: r, cpuMs } = await cpuPerAnswer(pair.app, () => cannon({ connections, seconds, ...scenario(kind) }));
      return { rps: r.rps, cpuMs, bad: r.non2xx + r.gqlErrors };
    };
    for (const kind of [a, b]) await cannon({ connections, seconds: 1, ...scenario(kind) }); // warm-up
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const x = await run(a);
      const y = await run(b);
      ratios.push(x.rps / y.rps);
      console.log(
        `round ${round}: ${a} ${x.rps.toFixed(0)}/s, CPU ${x.cpuMs.toFixed(3)} ms/req; ${b} ${y.rps.toFixed(0)}/s, CPU ${y.cpuMs.toFixed(3)} ms/req; ` +
          `ratio ${(x.rps / y.rps).toFixed(3)}${x.bad + y.bad ? `; ${x.bad + y.bad} bad answers` : ''}`,
      );
    }
    const s = spread(ratios);
    console.log(`${a} ÷ ${b}: median ${s.median.toFixed(3)} (${s.min.toFixed(3)}-${s.max.toFixed(3)})`);
  } finally {
    await pair.stop();
    await agent.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
