// Memory of the GraphQL process under uncached searches, round by round:
//   npx tsx bench/memory.ts [rounds] [seconds]
// prints RSS, heap used and heap total after each round of 20-connection uncached searches, then after
// a full GC. With BENCH_HEAPSNAPSHOT=1 the app also writes a V8 heap snapshot (.heapsnapshot in the
// working directory) at the end, for Chrome DevTools' Memory tab.
import { cannon } from './lib/cannon.js';
import { agent } from './lib/http.js';
import { startPair } from './lib/proc.js';
import { searchBodies } from './scenarios/search.js';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  const seconds = Number(process.argv[3] ?? 8);
  const snapshot = process.env.BENCH_HEAPSNAPSHOT === '1';
  // --expose-gc for the final full GC; the snapshot is taken on a signal so it covers the app alone
  process.env.BENCH_NODE_ARGS = `${process.env.BENCH_NODE_ARGS ?? ''} --expose-gc${snapshot ? ' --heapsnapshot-signal=SIGUSR2' : ''}`;
  const pair = await startPair({ limits: 'unlimited' });
  const mb = (n: number) => (n / 2 ** 20).toFixed(0).padStart(4);
  const show = async (label: string) => {
    const p = (await pair.app.send({ cmd: 'stats' })).process;
    console.log(`${label.padEnd(12)} RSS ${mb(p.rssBytes)} MB, heap used ${mb(p.heapUsedBytes)} MB, heap total ${mb(p.heapTotalBytes)} MB`);
  };
  try {
    const b = await searchBodies(pair);
    await show('start');
    for (let i = 1; i <= rounds; i++) {
      await cannon({ url: pair.url, connections: 20, seconds, next: b.uncachedGql });
      await show(`round ${i}`);
    }
    await pair.app.send({ cmd: 'gc' });
    await show('after GC');
    if (snapshot) {
      process.kill(pair.app.pid, 'SIGUSR2');
      // writing a snapshot of ~100 MB of heap takes a few seconds
      await new Promise((r) => setTimeout(r, 8_000));
    }
  } finally {
    await pair.stop();
    await agent.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
