#!/usr/bin/env node
// Every relative link in the READMEs, CONTRIBUTING.md and docs/**/*.md must point at a file that
// exists (and, for `file.md#anchor`, at a heading that exists): the guides moved out of the README
// once, and a moved picture or guide should fail `npm run lint`, not a reader.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function markdownUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...markdownUnder(path));
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The text outside fenced code blocks and inline code, where links are links. */
function proseOf(text) {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

const anchorsCache = new Map();
function anchorsOf(file) {
  let anchors = anchorsCache.get(file);
  if (!anchors) {
    anchors = new Set();
    const seen = new Map();
    for (const match of readFileSync(file, 'utf8')
      .replace(/^```[\s\S]*?^```/gm, '')
      .matchAll(/^#{1,6}\s+(.+)$/gm)) {
      const base = slug(match[1] ?? '');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    anchorsCache.set(file, anchors);
  }
  return anchors;
}

const files = [
  join(root, 'README.md'),
  join(root, 'CONTRIBUTING.md'),
  join(root, 'n8n-nodes-flightdeck', 'README.md'),
  ...markdownUnder(join(root, 'docs')),
].filter((file) => existsSync(file));
const broken = [];
for (const file of files) {
  const prose = proseOf(readFileSync(file, 'utf8'));
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, mailto:, …
    const [pathPart = '', anchor] = target.split('#');
    const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURI(pathPart));
    const where = relative(root, file);
    if (!existsSync(resolved)) {
      broken.push(`${where}: ${target} (no such file)`);
    } else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
      broken.push(`${where}: ${target} (no heading #${anchor})`);
    }
  }
}

if (broken.length > 0) {
  console.error(`Broken links in the docs:\n  ${broken.join('\n  ')}`);
  process.exit(1);
}
console.log(`Doc links: ${files.length} files checked, every relative link resolves.`);
