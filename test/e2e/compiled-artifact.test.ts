import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startServerProcess, stopIfRunning, waitFor, type ServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The deployable as a platform team builds it: the repository's files (as git sees them) plus dist/
 * from `npm run build`, then production dependencies only (`npm ci --omit=dev`). No TypeScript, no tsx.
 */
describe('the compiled artifact (git files + dist/, npm ci --omit=dev)', () => {
  let dir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    execFileSync(npm, ['run', 'build'], { cwd: root, stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'jpg-artifact-'));
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(root, f))) continue; // deleted in the work tree, not yet in the index
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(root, f), join(dir, f), { preserveTimestamps: true });
    }
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
    execFileSync(npm, ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'pipe' });
    server = await startServerProcess({ cwd: dir, command: npm, args: ['start', '--silent'] });
  }, 180_000);

  afterAll(() => {
    stopIfRunning(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds no TypeScript compiler or loader', () => {
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
  });

  it('starts with `npm start` from dist/ without building and answers a query', async () => {
    if (!server) throw new Error('server did not start');
    await waitFor(server);
    // Ready: the embedded sandbox answers the upstream probe.
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
    const { status, body } = await postGraphQL<{ data?: { jobs: { nodes: { uniqId: string }[] } }; errors?: unknown[] }>(server.base, {
      query: '{ jobs(filter: { keywords: "engineer" }, first: 3) { nodes { uniqId } } }',
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.jobs.nodes).toHaveLength(3);
    expect(server.stderr()).not.toMatch(/building|rebuilding|newer than dist|bundler|TypeScript/);
    expect(server.lines.some((l) => /sandbox/.test(l.msg))).toBe(true);
  });

  it('runs the server in the process `npm start` launched (no launcher of its own), which ends on SIGTERM', async () => {
    if (!server) throw new Error('server did not start');
    // npm does not pass SIGTERM on to its script: the server's own pid (from its logs) is signalled.
    const pid = server.lines.find((l) => typeof l.pid === 'number')?.pid;
    if (typeof pid !== 'number') throw new Error('no pid in the logs');
    // The server runs inside the start script's own node process: no second node holding memory.
    if (existsSync('/proc')) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('scripts/start.mjs');
    process.kill(pid, 'SIGTERM');
    await server.exited;
    expect(server.lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).toBe(true);
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
  });

  it('runs as `node dist/index.js` (the production start: one process) and exits 0 on SIGTERM', async () => {
    server = await startServerProcess({ cwd: dir, args: ['dist/index.js'] });
    await waitFor(server);
    const { body } = await postGraphQL<{ data?: { __typename: string } }>(server.base, { query: '{ __typename }' });
    expect(body.data?.__typename).toBe('Query');
    server.child.kill('SIGTERM');
    const [code, signal] = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe('');
  });
});
