import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it; we release it for the caller).
 * `avoid`: ports never to hand out even when free (e.g. 6379, where a developer's own Redis may start).
 */
export async function freePort(avoid: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const p = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => (p > 0 ? resolve(p) : reject(new Error('no TCP port assigned'))));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}
