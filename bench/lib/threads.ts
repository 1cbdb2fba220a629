import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** CPU time of each thread of a process so far, in clock ticks, by thread id (Linux `/proc` only; empty elsewhere). */
export function threadTicks(pid: number): Map<number, number> {
  const ticks = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return ticks;
  }
  for (const tid of tids) {
    try {
      // Fields after the `(comm)` one, which may itself hold spaces: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(f[11]) + Number(f[12]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ticks;
}

const clockTicksPerSecond = (): number => Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * Main-thread and other-thread CPU per answer between two `threadTicks` readings, in ms. The main
 * thread's id is the pid; the others are V8's platform workers (concurrent marking, parallel
 * scavenges: garbage collection that a main-thread CPU profile never shows) and libuv's pool. A thread
 * that ended between the two readings is not counted (Node's threads live as long as the process).
 */
export function threadSplit(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
  answers: number,
): { mainMs: number; otherMs: number } | undefined {
  if (after.size === 0) return undefined;
  const msPerTick = 1000 / clockTicksPerSecond();
  let main = 0;
  let other = 0;
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === pid) main += d;
    else other += d;
  }
  const per = (t: number): number => (t * msPerTick) / Math.max(1, answers);
  return { mainMs: per(main), otherMs: per(other) };
}
