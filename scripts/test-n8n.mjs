// `npm run test:n8n`: the live suite against both n8n lines Flightdeck supports, one after the
// other (each file starts its own n8n; two at once would starve a 2-core machine).
//
// - 1.123.81 (the last 1.x) and 2.41.1 (pinned: 2.41.3 does not install from the registry here):
//   every live file on each (one exception below). The files assert each line's own behaviour (N8N_MAJOR): publish
//   versus activate, published version versus saved draft, signed resume, versionId on a
//   rename, the fake's spec (n8n-spec.test.ts), and on 2.x the 404s n8n answers while it
//   registers webhooks after a publish or a restart, retried through the dispatcher's grace.
//
// Left out on 2.x by default for time: delivery-outage.test.ts (issue #12's outage proof) passes
// on 2.41.1 (2/2 in 218 s on the merged main, 883 s on the loaded box; after the 2.x failure classes:
// cut calls, "There was a problem executing the workflow", crashed never-run executions) but
// would take npm test past 30 minutes. Run it with N8N_LINES=2.41.1 FD_N8N_ALL=1.
// drafts-merge.test.ts (three-way merge, 2.x version semantics) runs on both lines (~30 s on 2.x).
// promote.test.ts (promotion dev → prod and its rollback) passes on 2.41.1 (81 s; 224 s on the
// loaded box: it starts two 2.x instances) and is left out there by default; the 2.x parts it
// meets (GET /credentials, publish, a published version beside a newer draft) are pinned by
// n8n-spec (both lines) and the unit tests against the fake as 2.41.1.
//
// Also left out on 2.x by default, to keep `npm test` well under 30 minutes on a 2-core CI box:
// the files whose behaviour does not differ between the lines (delivery-crash, lineage, live,
// ui, dispatch) and the slow ones whose 2.x behaviour is also covered by a shorter file (links
// and flightdeck-node resume signed waits, as approvals does; both passed on 2.41.1 when they
// landed). What differs — publish, signed resume, draft versus published, the 404 grace, the
// fake's spec — runs on both. FD_N8N_ALL=1 runs every file on every line.
//
// Override with N8N_LINES, e.g. N8N_LINES=2.41.1 (one line) or N8N_LINES=1.123.81,2.41.1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ONE = '1.123.81';
const TWO = '2.41.1';
const requested = process.env.N8N_LINES?.split(',')
  .map((v) => v.trim())
  .filter(Boolean);
const versions = requested ?? [ONE, TWO];
/** Files a line skips unless FD_N8N_ALL=1 (see above). */
const skipped = (version) =>
  process.env.FD_N8N_ALL === '1' || Number(version.split('.')[0]) < 2
    ? []
    : [
        'delivery-outage',
        'delivery-crash',
        'lineage',
        'live',
        'ui',
        'dispatch',
        'links',
        'flightdeck-node',
        'promote',
      ].map((f) => `tests/n8n/${f}.test.ts`);

const vitest = join('node_modules', 'vitest', 'vitest.mjs');
const results = [];
for (const version of versions) {
  const started = Date.now();
  const skip = skipped(version);
  console.log(`\n── live suite against n8n ${version}${skip.length ? ` (skipping ${skip.join(', ')})` : ''} ──`);
  const run = spawnSync(process.execPath, [vitest, 'run', '--project', 'n8n', ...skip.map((f) => `--exclude=${f}`)], {
    stdio: 'inherit',
    env: { ...process.env, N8N_VERSION: version },
  });
  results.push({ version, status: run.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) });
}
console.log('\nlive suite:');
for (const r of results) console.log(`  n8n ${r.version}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${r.seconds} s`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
