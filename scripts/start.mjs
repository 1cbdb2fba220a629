// `npm start`: serve the compiled build, compiling it first when it is missing or older than src/.
// The server then runs in this very process (no launcher left holding memory or standing between
// the server and SIGTERM). In production run `node dist/index.js` directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'index.js');
// written last by scripts/build.mjs: a build that stopped half-way has none
const stamp = join(root, 'dist', 'meta.json');

/** Newest modification time under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return t;
}

const sources = Math.max(
  newest(join(root, 'src')),
  ...['package-lock.json', 'scripts/build.mjs'].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
);
const built = existsSync(entry) && existsSync(stamp) ? statSync(stamp).mtimeMs : 0;

if (built === 0 || sources > built) {
  let bundler = true;
  try {
    createRequire(join(root, 'package.json')).resolve('esbuild');
  } catch {
    bundler = false;
  }
  if (bundler) {
    console.error(built === 0 ? 'building dist/ (first start)' : 'src/ or the lock file changed: rebuilding dist/');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  } else if (built === 0) {
    console.error('dist/ is missing and the bundler (a dev dependency) is not installed: run `npm ci && npm run build` first');
    process.exit(1);
  } else {
    console.error('src/ or the lock file is newer than dist/ but the bundler is not installed (production install): serving dist/ as built');
  }
}

await import(pathToFileURL(entry).href);
