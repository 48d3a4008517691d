// `npm run test:n8n`: the live suite against both n8n lines Flightdeck supports, one after the
// other (each file starts its own n8n; two at once would starve a 2-core machine).
//
// - 1.123.81 (the last 1.x) and 2.41.1 (pinned: 2.41.3 does not install from the registry here):
//   every live file on each. The files assert each line's own behaviour (N8N_MAJOR): publish
//   versus activate, published version versus saved draft, signed resume, versionId on a
//   rename, the fake's spec (n8n-spec.test.ts), and on 2.x the 404s n8n answers while it
//   registers webhooks after a publish or a restart, retried through the dispatcher's grace.
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

const vitest = join('node_modules', 'vitest', 'vitest.mjs');
const results = [];
for (const version of versions) {
  const started = Date.now();
  console.log(`\n── live suite against n8n ${version} ──`);
  const run = spawnSync(process.execPath, [vitest, 'run', '--project', 'n8n'], {
    stdio: 'inherit',
    env: { ...process.env, N8N_VERSION: version },
  });
  results.push({ version, status: run.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) });
}
console.log('\nlive suite:');
for (const r of results) console.log(`  n8n ${r.version}: ${r.status === 0 ? 'passed' : 'FAILED'} in ${r.seconds} s`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
