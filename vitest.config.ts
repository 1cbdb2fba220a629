import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM builds; Node (and Pothos, @apollo/subgraph) load the CJS one, Vite
    // would pick the ESM one for our imports, giving two "graphql" modules in one process.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // expect.poll waits for something asynchronous to become true (a browser rendering an editor, a
    // subscriber receiving an event); its 1 s default is too short on a loaded 2-core CI machine, where a
    // headless Chromium parsing 9 MB of GraphiQL took longer. A broken feature still fails, only later.
    expect: { poll: { timeout: 10_000 } },
  },
});
