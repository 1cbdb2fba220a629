import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** A real redis-server of the test's own, on a free port (never 6379), stopped by its pid. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** The running server's pid (undefined while stopped). */
  readonly pid: number | undefined;
  /** SIGKILL the server (no save, like a crash) and wait until it has exited. */
  kill(): Promise<void>;
  /** Start it again on the same port, empty (the test configuration persists nothing). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** PING over a raw socket: true once the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.on('data', (d) => {
      text += d.toString();
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
    sock.once('connect', () => sock.write('PING\r\n'));
  });
}

function launch(port: number): ChildProcess {
  // Started directly (no shell) so the pid is redis-server's own.
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (await ping(port)) return;
    await sleep(25);
  }
  throw new Error(`redis-server on port ${port} did not start`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `port`: listen there (e.g. one a server under test already points at); default a free one, never 6379. */
export async function startRedis(o: { port?: number } = {}): Promise<TestRedis> {
  const port = o.port ?? (await freePort([6379]));
  let child: ChildProcess | undefined = launch(port);
  await waitReady(port, child);
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c?.pid) return;
    const gone = exited(c);
    process.kill(c.pid, 'SIGKILL');
    await gone;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    kill,
    async restart() {
      await kill();
      child = launch(port);
      await waitReady(port, child);
    },
    stop: kill,
  };
}
