// electron-builder's afterPack hook (build/electron-builder.yml): puts better-sqlite3 built for
// the packaged Electron's ABI into the package, so the installed app opens its store with no Node,
// compiler or download on the user's machine.
//
// It is built with @electron/rebuild (a prebuilt binary where one is published, else compiled
// against Electron's headers) in a staging copy under build/native/, never in node_modules, whose
// build stays Node's for the tests and the headless host. The staging build is kept per Electron
// version, platform and arch, so a second `npm run dist` reuses it.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
const BINARY = join('build', 'Release', 'better_sqlite3.node');

/** Where the packaged app keeps its unpacked native files. */
function unpackedDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const resources =
    electronPlatformName === 'darwin' || electronPlatformName === 'mas'
      ? join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : join(appOutDir, 'resources');
  return join(resources, 'app.asar.unpacked');
}

/** better-sqlite3 built for this Electron, platform and arch, in a staging folder; its path. */
export async function electronSqliteBuild({ electronVersion, platform, arch }) {
  const stage = resolve('build', 'native', `package-${electronVersion}-${platform}-${arch}`);
  const built = join(stage, 'node_modules', 'better-sqlite3', BINARY);
  const stamp = join(stage, 'built.json');
  if (existsSync(built) && existsSync(stamp)) return built;

  const source = dirname(require.resolve('better-sqlite3/package.json'));
  const version = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).version;
  rmSync(stage, { recursive: true, force: true });
  const moduleDir = join(stage, 'node_modules', 'better-sqlite3');
  // Without build/: what is there is Node's binary, and @electron/rebuild must not mistake it for done.
  cpSync(source, moduleDir, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });
  writeFileSync(
    join(stage, 'package.json'),
    JSON.stringify({ name: 'flightdeck-native-stage', private: true, dependencies: { 'better-sqlite3': version } }),
  );
  let rebuild;
  try {
    ({ rebuild } = await import('@electron/rebuild'));
  } catch {
    throw new Error('Packaging needs @electron/rebuild (npm install --save-dev @electron/rebuild@4.2.1).');
  }
  console.log(`  • building better-sqlite3 ${version} for Electron ${electronVersion} (${platform}-${arch})`);
  await rebuild({
    buildPath: stage,
    // The stage sits inside the project, so prebuild-install and node-gyp resolve from its node_modules.
    projectRootPath: stage,
    electronVersion,
    platform,
    arch,
    onlyModules: ['better-sqlite3'],
    force: true,
    mode: 'sequential',
  });
  if (!existsSync(built)) throw new Error(`@electron/rebuild finished but ${built} is missing.`);
  writeFileSync(stamp, JSON.stringify({ electronVersion, platform, arch, version }) + '\n');
  return built;
}

/**
 * Proves the file is not Node's build: Node refuses to load a module built for another ABI and
 * names the ABI it was built for. Only possible for this machine's platform and arch.
 */
function assertElectronAbi(file, { platform, arch }) {
  if (platform !== process.platform || arch !== process.arch) return;
  const abi = readFileSync(join(dirname(require.resolve('electron/package.json')), 'abi_version'), 'utf8').trim();
  try {
    process.dlopen({ exports: {} }, file);
  } catch (error) {
    if (String(error.message).includes(`NODE_MODULE_VERSION ${abi}`)) return;
    throw new Error(`The packaged better-sqlite3 is not built for Electron's ABI ${abi}: ${error.message}`);
  }
  throw new Error("The packaged better-sqlite3 loads in Node: it is Node's build, not Electron's.");
}

export default async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const electronVersion =
    context.packager.config.electronVersion ??
    JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const target = join(unpackedDir(context), 'node_modules', 'better-sqlite3', BINARY);
  if (!existsSync(dirname(target)))
    throw new Error(
      `better-sqlite3 was not unpacked from the archive (expected ${dirname(target)}); check asarUnpack.`,
    );
  const built = await electronSqliteBuild({ electronVersion, platform, arch });
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  assertElectronAbi(target, { platform, arch });
  console.log(`  • better-sqlite3 for Electron ${electronVersion} is in the package`);
}
