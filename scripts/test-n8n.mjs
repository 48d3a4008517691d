// `npm run test:n8n`: the live suite against both n8n lines Flightdeck supports, one after the
// other (each file starts its own n8n; two at once would starve a 2-core machine).
//
// - 1.123.81 (the last 1.x): every live file.
// - 2.41.1 (pinned: 2.41.3 does not install from the registry here): the files where the lines
//   differ for the console — the client and the sync (publish/unpublish, published versus saved
//   draft, signed resume, waiting executions listed), approvals and links (signed resume of a
//   registered wait, of one known by id, of a Wait-node run dispatched by a mapping, of one
//   started in n8n), drafts and migration (conflicts when only updatedAt moves; a 1.x → 2.x
//   migration with the pre-flight), and the console in Chromium (publish wording, "draft
//   differs", the pre-flight dry run).
//   dispatch.test.ts runs on 1.x only until the dispatcher classifies a 404 inside the
//   post-publish grace as retryable (src/main/core/n8n/webhook-grace.ts): 2.x answers 404 while
//   it registers webhooks after a publish or a restart, and that run would be dead-lettered.
//   The 2.x run takes ~8 minutes here against ~10 for 1.x.
//
// Override with N8N_LINES, e.g. N8N_LINES=2.41.1 (one line, every file) or N8N_LINES=1.123.81,2.41.1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ONE = '1.123.81';
const TWO = '2.41.1';
const TWO_FILES = [
  'tests/n8n/live.test.ts',
  'tests/n8n/approvals.test.ts',
  'tests/n8n/links.test.ts',
  'tests/n8n/drafts.test.ts',
  'tests/n8n/ui.test.ts',
];

const requested = process.env.N8N_LINES?.split(',')
  .map((v) => v.trim())
  .filter(Boolean);
/** Each run: a version and the files it covers (empty: every live file). */
const runs = requested
  ? requested.map((version) => ({ version, files: [] }))
  : [
      { version: ONE, files: [] },
      { version: TWO, files: TWO_FILES },
    ];

const vitest = join('node_modules', 'vitest', 'vitest.mjs');
const results = [];
for (const { version, files } of runs) {
  const started = Date.now();
  console.log(`\n── live suite against n8n ${version}${files.length ? ` (${files.length} files)` : ''} ──`);
  const run = spawnSync(process.execPath, [vitest, 'run', '--project', 'n8n', ...files], {
    stdio: 'inherit',
    env: { ...process.env, N8N_VERSION: version },
  });
  results.push({ version, status: run.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) });
}
console.log('\nlive suite:');
for (const r of results) console.log(`  n8n ${r.version}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${r.seconds} s`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
