import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './free-port.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** Parsed JSON log lines, in order (stdout). */
  lines: LogLine[];
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** The environment of a fresh deployment: no JobsPikr keys, no Redis, so the server embeds the sandbox. */
export function cleanEnv(port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(JOBSPIKR_|OTEL_|TRUSTED_DOCUMENTS_)/.test(k) && k !== 'REDIS_URL' && k !== 'REQUIRE_CLIENT_CREDENTIALS' && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', ...extra };
}

/** Start `command args` in `cwd` with a clean environment on a free port; logs are collected as they come. */
export async function startServerProcess(o: { cwd: string; command?: string; args: string[]; env?: NodeJS.ProcessEnv }): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(o.command ?? process.execPath, o.args, { cwd: o.cwd, env: cleanEnv(port, o.env), stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close', not 'exit': it waits for every process holding the pipes (the server under `npm start`).
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines: LogLine[] = [];
  let out = '';
  let err = '';
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      if (!p.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        // a line that is not JSON (npm's banner) is kept in stdout() only
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return { child, base: `http://127.0.0.1:${port}`, lines, stdout: () => out, stderr: () => err, exited };
}

/** Poll `path` until it answers `status` (the process must stay up meanwhile). */
export async function waitFor(p: ServerProcess, path = '/healthz', status = 200, attempts = 300): Promise<Response> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (p.child.exitCode !== null) throw new Error(`server exited early with ${p.child.exitCode}: ${p.stderr()}`);
    try {
      const res = await fetch(`${p.base}${path}`);
      // Read to the end: the server's response is then complete, not left open by this poll.
      const body = await res.text();
      if (res.status === status) return new Response(body, { status: res.status, headers: res.headers });
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} never answered ${status}`);
}

/** POST one GraphQL request and return the parsed body. */
export async function postGraphQL<T = unknown>(
  base: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Kill the process if a test left it running. */
export function stopIfRunning(p: ServerProcess | undefined): void {
  if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}
