// `npm start`: build, then launch the desktop app. Where Electron cannot start (its binary is
// not installed, or there is no display) say why in one line and serve the console headless.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });

/** Why Electron cannot start here, or null when it can. */
function electronUnavailable() {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8')) : null;
  if (!binary || !existsSync(binary))
    return "Electron's binary is not installed (run `npx install-electron` where its download site is reachable)";
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY is not set)';
  return null;
}

const build = run(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);
if (build.status !== 0) process.exit(build.status ?? 1);

const reason = electronUnavailable();
// --open-if-running: when a console already runs on the data folder, the host prints its link
// (with the token) and exits 0 instead of refusing, as the desktop app offers to open it.
const child = reason
  ? (console.log(`Electron cannot start: ${reason}. Serving the console headless instead.`),
    spawn(process.execPath, ['out/main/host.js', '--open-if-running', ...process.argv.slice(2)], { stdio: 'inherit' }))
  : (run(process.execPath, ['scripts/build-electron-sqlite.mjs']),
    spawn(process.execPath, [join('node_modules', 'electron', 'cli.js'), '.'], { stdio: 'inherit' }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
