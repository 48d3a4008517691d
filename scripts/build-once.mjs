// `electron-vite build`, skipped when out/ already holds the build of exactly these sources.
// `npm test` needs the build in three stages (e2e, fuzz, n8n) and nothing changes the sources in
// between: the first builds, the other two find it current.
//
// Current means both fingerprints recorded after this script's last build still match:
// - inputs: the content of every file under src/, the build and TypeScript configs, package.json,
//   package-lock.json (dependency versions) and VITE_* variables;
// - output: the content of every file under out/, so a build made meanwhile by other means
//   (`npm run build` on other sources, an edit in out/) is never mistaken for ours.
// FD_BUILD=always forces the build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const STAMP = join('out', '.build-once.json');
const INPUTS = [
  'src',
  'electron.vite.config.ts',
  'package.json',
  'package-lock.json',
  ...readdirSync('.').filter((f) => /^tsconfig.*\.json$/.test(f)),
];

/** Every file at or under `path` (none when it does not exist). */
function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

function fingerprint(paths, skip = () => false) {
  const hash = createHash('sha256');
  const all = paths.flatMap(files).filter((f) => !skip(f));
  for (const file of all.sort()) {
    hash.update(`${relative('.', file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const [key, value] of Object.entries(process.env).sort())
    if (key.startsWith('VITE_')) hash.update(`${key}=${value}\0`);
  return hash.digest('hex');
}

const outputPrint = () => fingerprint(['out'], (f) => f === STAMP);
const inputs = fingerprint(INPUTS);
if (process.env.FD_BUILD !== 'always' && existsSync(STAMP)) {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    if (stamp.inputs === inputs && stamp.output === outputPrint()) {
      console.log('build: out/ is the build of these sources already (out/.build-once.json); not built again');
      process.exit(0);
    }
  } catch {
    // An unreadable stamp: build.
  }
}
const run = spawnSync(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  stdio: 'inherit',
});
if (run.status !== 0) process.exit(run.status ?? 1);
// The inputs as read before the build: an edit made while it ran makes the next call build again.
writeFileSync(STAMP, JSON.stringify({ inputs, output: outputPrint() }));
