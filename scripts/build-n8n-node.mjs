// `npm run build:node`: builds the n8n community node package in n8n-nodes-flightdeck/ (its own
// package.json and lock file). Installs its dev dependencies (n8n-workflow's types, TypeScript)
// when they are missing or its lock file changed, then compiles into n8n-nodes-flightdeck/dist
// (git-ignored) afresh. The live tests (tests/n8n/flightdeck-node.test.ts) call this first.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'n8n-nodes-flightdeck');
const installed = join(pkg, 'node_modules', '.package-lock.json');
const lock = join(pkg, 'package-lock.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args) => execFileSync(cmd, args, { cwd: pkg, stdio: 'inherit' });

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  // The package's .npmrc skips install scripts: only type declarations are used from n8n-workflow.
  run(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
rmSync(join(pkg, 'dist'), { recursive: true, force: true });
run(process.execPath, [join(pkg, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
run(process.execPath, [join(pkg, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json']);
run(process.execPath, [join(pkg, 'scripts', 'copy-assets.mjs')]);
console.log(`built ${join(pkg, 'dist')}`);
