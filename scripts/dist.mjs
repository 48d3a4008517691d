// `npm run dist`: the installable packages for this platform (Linux: AppImage and deb, macOS: dmg,
// Windows: NSIS) in dist/, with build/electron-builder.yml. `npm run dist -- --dir` makes the
// unpacked app only (what CI checks); other arguments go to electron-builder as they are.
//
// Before anything slow it says, in one line each, what is missing: the packaging packages, the
// Node version they need, the icons. Exit codes: 0 built, 1 something is missing or failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** What packaging needs, pinned to the versions this configuration is written against. */
export const PACKAGING_PACKAGES = [
  { name: 'electron-builder', version: '26.17.0', dev: true, why: 'builds the packages' },
  { name: '@electron/rebuild', version: '4.2.1', dev: true, why: "builds better-sqlite3 for Electron's ABI" },
  { name: 'electron-updater', version: '6.8.10', dev: false, why: 'lets the installed app update itself' },
];
/** @electron/rebuild 4 and Electron 45's own tooling declare Node ≥ 22.12. */
export const PACKAGING_NODE = [22, 12];

// Not require.resolve(`${name}/package.json`): packages whose `exports` leave package.json out
// (@electron/rebuild 4) would count as missing.
const installed = (name) =>
  (require.resolve.paths(name) ?? []).some((dir) => existsSync(join(dir, name, 'package.json')));

/** Why packaging cannot run here, one sentence each; empty when it can. */
export function packagingProblems() {
  const problems = [];
  const missing = PACKAGING_PACKAGES.filter((p) => !installed(p.name));
  if (missing.length) {
    const dev = missing.filter((p) => p.dev).map((p) => `${p.name}@${p.version}`);
    const prod = missing.filter((p) => !p.dev).map((p) => `${p.name}@${p.version}`);
    const commands = [
      dev.length ? `npm install --save-dev ${dev.join(' ')}` : '',
      prod.length ? `npm install ${prod.join(' ')}` : '',
    ].filter(Boolean);
    problems.push(`missing ${missing.map((p) => `${p.name} (${p.why})`).join(', ')}: run \`${commands.join(' && ')}\``);
  }
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [needMajor, needMinor] = PACKAGING_NODE;
  if (major < needMajor || (major === needMajor && minor < needMinor))
    problems.push(
      `packaging needs Node ${needMajor}.${needMinor} or newer (this is ${process.versions.node}); the headless console and the tests run on Node 20.19`,
    );
  return problems;
}

/** Electron's unpacked binary from node_modules, so electron-builder need not download it again. */
export function localElectronDist() {
  const dir = join(dirname(require.resolve('electron/package.json')), 'dist');
  const version = join(dir, 'version');
  const wanted = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  return existsSync(version) && readFileSync(version, 'utf8').trim().replace(/^v/, '') === wanted ? dir : null;
}

const run = (command, args) =>
  spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

function main() {
  const problems = packagingProblems();
  if (problems.length) {
    console.error(`npm run dist cannot package here:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  if (run(process.execPath, ['scripts/make-icons.mjs', '--check']) !== 0) process.exit(1);
  if (run(process.execPath, [join('node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']) !== 0)
    process.exit(1);

  const electronDist = localElectronDist();
  const args = [
    require.resolve('electron-builder/cli.js'),
    '--config',
    join('build', 'electron-builder.yml'),
    '--publish',
    'never',
    ...(electronDist ? [`-c.electronDist=${electronDist}`] : []),
    ...process.argv.slice(2),
  ];
  console.log(
    electronDist
      ? `Packaging with Electron from ${electronDist}.`
      : "Packaging: electron-builder downloads Electron's binary (cached after the first time).",
  );
  const status = run(process.execPath, args);
  if (status !== 0) {
    console.error('electron-builder failed (above). Nothing in node_modules was changed.');
    process.exit(status);
  }
  const made = existsSync('dist') ? readdirSync('dist').filter((f) => !f.startsWith('.')) : [];
  console.log(`Packages in dist/: ${made.join(', ') || '(none)'}`);
}

// Run as a script (not when pack-check imports the checks above).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
