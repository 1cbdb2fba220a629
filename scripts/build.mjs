// `npm run build`: src/ -> dist/ as one ES module bundle (plus lazily loaded chunks), with esbuild.
//
// Why a bundler and not tsc's one file per module: a start-up profile of the tsc output spent about half
// of its 1.05 s in Node's module loader (resolving, stat-ing, opening and reading ~1,000 files of the
// dependencies, the CJS lexer); one bundle starts in about half the time. Type checking is not the
// build's job: `npm test` runs `tsc --noEmit` over the same sources.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/build.mjs [entry outdir]`: the benchmarks bundle their server process the same way
// (bench/lib/proc.ts), so what they measure is what is deployed.
const [entry = 'src/index.ts', out = 'dist'] = process.argv.slice(2);
const outdir = join(root, out);

/**
 * Left to Node at run time, from the installed packages:
 * - loaded only on demand, so a server that does not use them never pays for them: the OpenTelemetry
 *   SDK (one copy, so the API the bundle uses and the SDK it registers agree), pino-pretty (terminal
 *   only) and GraphiQL's 9 MB of inlined assets (served from the installed package);
 * - ioredis and fast-xml-parser are loaded through createRequire, which esbuild leaves alone anyway.
 */
const EXTERNAL = ['@opentelemetry/*', 'pino-pretty', '@graphql-yoga/render-graphiql', '@graphql-yoga/render-graphiql/*', 'ioredis', 'fast-xml-parser'];

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [entry],
  outdir,
  bundle: true,
  // dynamic imports (the embedded sandbox, ...) stay separate chunks, loaded only when used
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  metafile: true,
  legalComments: 'linked',
  // Without comments the bundle is pure ASCII, which V8 holds as a one-byte string: a few dependencies'
  // comments carry a non-ASCII character (’, →), and one of them made V8 keep all 5.4 MB of source as
  // two-byte text (10.7 MB of heap in a snapshot). Identifiers stay, so stack traces keep their names.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// What went into the bundle, byte by byte (`npx esbuild --analyze` style reading); also the build's stamp.
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
