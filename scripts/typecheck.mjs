// `npm run typecheck`: the four TypeScript projects (shared, node, web, tests), as many at once as
// the machine has cores. tsc is single-threaded and the projects are independent, so on a 2-core
// CI machine two at a time halve the stage. Each project's output is printed whole, in order.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const PROJECTS = ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.tests.json'];
const tsc = join('node_modules', 'typescript', 'bin', 'tsc');

function check(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('error', (error) => resolve({ project, code: 1, output: String(error) }));
    child.once('close', (code) => resolve({ project, code: code ?? 1, output }));
  });
}

const results = new Array(PROJECTS.length);
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), PROJECTS.length) }, async () => {
    while (next < PROJECTS.length) {
      const i = next++;
      results[i] = await check(PROJECTS[i]);
    }
  }),
);
for (const r of results) {
  if (r.output) process.stdout.write(r.output);
  if (r.code !== 0) console.error(`typecheck: tsc -p ${r.project} failed`);
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
