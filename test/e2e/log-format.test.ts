import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, stopIfRunning, waitFor, type ServerProcess } from '../helpers/server-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('log format follows stdout', () => {
  let tty: ServerProcess | undefined;
  let piped: ServerProcess | undefined;
  afterAll(() => {
    stopIfRunning(tty);
    stopIfRunning(piped);
  });

  it('is pino-pretty on a terminal (a real pseudo-terminal from script(1))', async () => {
    tty = await startServerProcess({ cwd: root, command: 'script', args: ['-qec', `${process.execPath} --import tsx src/index.ts`, '/dev/null'] });
    await waitFor(tty);
    const out = tty.stdout();
    expect(out).toMatch(/INFO.*no JobsPikr keys set: serving the embedded JobsPikr sandbox/);
    expect(out).toContain(`${String.fromCharCode(27)}[`); // ANSI colour codes
    expect(out).not.toMatch(/"level":30/);
    tty.child.kill('SIGTERM');
    await tty.exited;
  });

  it('is one JSON object per line when stdout is a pipe', async () => {
    piped = await startServerProcess({ cwd: root, args: ['--import', 'tsx', 'src/index.ts'] });
    await waitFor(piped);
    const lines = piped.stdout().trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    piped.child.kill('SIGTERM');
    expect((await piped.exited)[0]).toBe(0);
  });
});
