// Copies what tsc does not: node icons and codex files beside each compiled node, and the
// credential icons (n8n resolves `file:` icons relative to the compiled file).
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const node of readdirSync(join(root, 'nodes'))) {
  for (const file of readdirSync(join(root, 'nodes', node))) {
    if (!/\.(svg|png|json)$/.test(file)) continue;
    mkdirSync(join(root, 'dist', 'nodes', node), { recursive: true });
    cpSync(join(root, 'nodes', node, file), join(root, 'dist', 'nodes', node, file));
  }
}
cpSync(join(root, 'icons'), join(root, 'dist', 'icons'), { recursive: true });
