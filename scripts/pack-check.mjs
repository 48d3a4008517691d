// `npm run test:pack` (part of `npm test`): `electron-builder --dir` where this machine can package,
// then a look inside the unpacked app. Where it cannot (packaging packages not installed, Node
// older than they need, Electron's binary not downloadable) it says why in one line and skips,
// exit 0: a build machine without network access is not a failure of the code.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localElectronDist, packagingProblems } from './dist.mjs';

const skip = (reason) => {
  console.log(`pack check skipped: ${reason}.`);
  console.log('pack-check: 0 passed, 0 failed, 1 skipped');
  process.exit(0);
};

const problems = packagingProblems();
if (problems.length) skip(problems.join('; '));

if (!localElectronDist()) {
  // Electron's own installer: downloads the binary into node_modules/electron/dist (cached).
  const install = spawnSync(process.execPath, [join('node_modules', 'electron', 'install.js')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (install.status !== 0 || !localElectronDist()) {
    const why = `${install.stderr ?? ''}${install.error ?? ''}`.split('\n').find((l) => l.trim()) ?? 'no output';
    skip(`Electron's binary could not be downloaded: ${why.trim()}`);
  }
}

const platformDir = { linux: 'linux-unpacked', win32: 'win-unpacked' }[process.platform];
const build = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('pack check: electron-builder --dir failed.');
  process.exit(1);
}

// What the installed app needs at run time, in the unpacked app.
const resources =
  process.platform === 'darwin'
    ? join('dist', process.arch === 'arm64' ? 'mac-arm64' : 'mac', 'Flightdeck.app', 'Contents', 'Resources')
    : join('dist', platformDir ?? 'unpacked', 'resources');
const wanted = [
  'app.asar',
  join('app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
  join('tray', 'tray.png'),
  join('tray', 'trayTemplate.png'),
  'icon.png',
  'README.md',
];
const missing = wanted.filter((file) => !existsSync(join(resources, file)));
if (missing.length) {
  console.error(`pack check: the unpacked app lacks ${missing.join(', ')} (in ${resources}).`);
  process.exit(1);
}
console.log(`pack check: the unpacked app in ${resources} has what it needs.`);
console.log('pack-check: 1 passed, 0 failed');
