// `npm start`: build, then launch the desktop app. The desktop needs three things, tried in order:
//   1. Electron's binary: where it is missing, Electron's own installer fetches it (once, cached);
//   2. better-sqlite3 built for Electron's ABI (scripts/build-electron-sqlite.mjs, once);
//   3. a display.
// Where a step fails, it says which and why in one line and serves the same console headless.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args, options = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32', ...options });

const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
const executable =
  { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' }[process.platform] ?? 'electron';

/** Electron's binary of this version is unpacked in node_modules/electron/dist. */
function electronInstalled() {
  const versionFile = join(electronDir, 'dist', 'version');
  return (
    existsSync(join(electronDir, 'dist', executable)) &&
    existsSync(versionFile) &&
    readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') === electronVersion
  );
}

/** The first line of what a failed step printed that says something. */
function firstLine(text, fallback) {
  const line = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('at '));
  return line ?? fallback;
}

/** Step 1: fetch Electron with its own installer where it is missing. Returns why it failed, or null. */
function fetchElectron() {
  if (electronInstalled()) return null;
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD)
    return "Electron's binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set";
  console.log(`Electron ${electronVersion}'s binary is not installed: fetching it with Electron's installer…`);
  const install = run(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (install.status === 0 && electronInstalled()) return null;
  const [major, minor] = process.versions.node.split('.').map(Number);
  const oldNode = major < 22 || (major === 22 && minor < 12);
  const why = firstLine(install.stderr, install.error ? String(install.error) : 'no output');
  return (
    `fetching Electron's binary failed (${why})` +
    (oldNode ? `; Electron 45's tooling declares Node 22.12 or newer, this is ${process.versions.node}` : '') +
    '. Where its download site is reachable, run `npx install-electron`'
  );
}

/** Step 2: better-sqlite3 for Electron's ABI (built once into build/native/electron). */
function buildElectronSqlite() {
  const built = run(process.execPath, ['scripts/build-electron-sqlite.mjs']);
  return built.status === 0 ? null : "building better-sqlite3 for Electron's ABI failed (above)";
}

/** Step 3: somewhere to show a window. */
function noDisplay() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY is not set)';
  return null;
}

const build = run(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
if (build.status !== 0) process.exit(build.status ?? 1);

const reason = fetchElectron() ?? noDisplay() ?? buildElectronSqlite();
// --open-if-running: when a console already runs on the data folder, the host prints its link
// (with the token) and exits 0 instead of refusing, as the desktop app offers to open it.
const child = reason
  ? (console.log(`Electron cannot start: ${reason}. Serving the console headless instead.`),
    spawn(process.execPath, ['out/main/host.js', '--open-if-running', ...process.argv.slice(2)], { stdio: 'inherit' }))
  : spawn(process.execPath, [join(electronDir, 'cli.js'), '.', ...process.argv.slice(2)], { stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
