// Builds better-sqlite3 for Electron's ABI into build/native/electron/, beside (never over)
// the Node build in node_modules that the tests and the headless host use. The main process
// passes this file to better-sqlite3's `nativeBinding` option. Skipped when already built.
// Needs Electron's headers (downloaded by node-gyp), so it only runs where Electron can.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const outDir = join('build', 'native', 'electron');
const stamp = join(outDir, `electron-${electronVersion}`);
if (existsSync(stamp)) process.exit(0);

const source = dirname(require.resolve('better-sqlite3/package.json'));
const work = join('build', 'native', 'work');
rmSync(work, { recursive: true, force: true });
cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${source}/build`) });
const result = spawnSync(
  'npx',
  [
    '--yes',
    'node-gyp',
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    '--runtime=electron',
    '--dist-url=https://electronjs.org/headers',
  ],
  { cwd: work, stdio: 'inherit', shell: process.platform === 'win32' },
);
if (result.status !== 0) {
  console.error('Could not build better-sqlite3 for Electron; the desktop app will fail to open its store.');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
copyFileSync(join(work, 'build', 'Release', 'better_sqlite3.node'), join(outDir, 'better_sqlite3.node'));
copyFileSync(join(work, 'package.json'), stamp);
rmSync(work, { recursive: true, force: true });
