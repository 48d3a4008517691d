import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { createBackupsModule } from '../../src/main/core/backups/backups-module';
import { FakeN8n } from '../../src/main/core/testing/fake-n8n-port';
import { tempDir, testContext } from '../../src/main/core/testing/test-core';
import { report } from './report';

const EXECUTIONS = 100_000;

function store() {
  const t = testContext();
  const backups = createBackupsModule(t.ctx, t.audit, { port: new FakeN8n(), appVersion: 'bench' });
  return { ...t, backups, db: t.ctx.store.db };
}

/** Rows shaped like synced n8n executions, with a small per-node summary. */
function fill(db: ReturnType<typeof store>['db']) {
  const insert = db.prepare(`INSERT INTO executions (source, instance_id, workflow_id, remote_id, status, mode,
    data_json, created_at_ms, started_at_ms, finished_at_ms, duration_ms, updated_at_ms)
    VALUES ('remote', 'prod', ?, ?, ?, 'webhook', ?, ?, ?, ?, ?, ?)`);
  // Payloads live beside the rows (0026_execution_bodies.sql).
  const body = db.prepare('INSERT INTO execution_bodies (id, payload_json) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < EXECUTIONS; i++) {
      const at = 1_700_000_000_000 + i * 1_000;
      const { lastInsertRowid } = insert.run(
        `wf${i % 40}`,
        String(i),
        i % 11 ? 'success' : 'error',
        JSON.stringify({ nodes: { Webhook: { ms: 2 }, Set: { ms: i % 17 }, HTTP: { ms: 40 + (i % 90) } } }),
        at,
        at + 5,
        at + 120,
        115,
        at + 120,
      );
      body.run(
        lastInsertRowid,
        JSON.stringify({ orderId: `o-${i}`, amount: i % 977, customer: { tier: i % 3 ? 'gold' : 'basic' } }),
      );
    }
  })();
}

const time = async (fn: () => unknown) => {
  const started = performance.now();
  await fn();
  return performance.now() - started;
};

// Export and restore of a store with 100k executions, against SQLite's own copy of the same store.
it('backup export and restore with 100k executions vs SQLite VACUUM INTO and the online backup API', async () => {
  const source = store();
  fill(source.db);
  const scratch = tempDir();

  const vacuumMs = await time(() => source.db.prepare('VACUUM INTO ?').run(join(scratch.path, 'vacuum.sqlite')));
  const backupApiMs = await time(() => source.db.backup(join(scratch.path, 'online.sqlite')));
  const storeBytes = statSync(join(scratch.path, 'vacuum.sqlite')).size;

  const exportMs = await time(() => source.backups.service.export({ includeExecutions: true, includeRemote: true }));
  const file = (await source.backups.service.list()).files[0]!;
  const encryptedMs = await time(() =>
    source.backups.service.export({ includeExecutions: true, includeRemote: true, passphrase: 'bench passphrase' }),
  );

  const target = store();
  mkdirSync(target.backups.service.folder, { recursive: true });
  const copy = join(target.backups.service.folder, file.name);
  copyFileSync(file.path, copy);
  let restoreId = '';
  const inspectMs = await time(async () => {
    restoreId = (await target.backups.service.inspect({ kind: 'file', path: copy }, undefined)).restoreId;
  });
  const applyMs = await time(() => target.backups.service.restore(restoreId));
  const restored = target.db.prepare('SELECT count(*) FROM executions').pluck().get() as number;
  if (restored !== EXECUTIONS) throw new Error(`restored ${restored} executions, expected ${EXECUTIONS}`);

  report(
    `Backups: ${EXECUTIONS.toLocaleString('en-US')} executions (store ${(storeBytes / 1e6).toFixed(1)} MB, backup file ${(file.bytes / 1e6).toFixed(1)} MB)`,
    [
      {
        name: 'export (gzip JSON lines, checksums)',
        value: exportMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
      {
        name: 'export, encrypted (AES-256-GCM + scrypt)',
        value: encryptedMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
      {
        name: 'SQLite online backup API (db.backup)',
        value: backupApiMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
      {
        name: 'restore: validate + stage + preview',
        value: inspectMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
      {
        name: 'restore: apply (one transaction)',
        value: applyMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
      {
        name: 'restore total',
        value: inspectMs + applyMs,
        unit: 'ms',
        baseline: { name: 'VACUUM INTO', value: vacuumMs },
      },
    ],
  );

  await source.backups.stop?.();
  await target.backups.stop?.();
  source.cleanup();
  target.cleanup();
  scratch.remove();
});
