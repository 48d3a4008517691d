import { EXCLUDED_TABLES, plainTables } from './tables';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { createDraftService } from '../drafts/draft-service';
import { FakeN8n } from '../testing/fake-n8n-port';
import { tempDir, testContext, testCore } from '../testing/test-core';
import { createBackupsModule } from './backups-module';

/** A known key, stored in clear in the simulated instances table so a leak would be found by grep. */
const API_KEY = 'n8n_api_KNOWN-KEY-7f3a9c1e55b04d2e';
/** A row of the instances table with a key stored in the clear, so a leak would be found by grep. */
const insertInstance = (
  db: { prepare(sql: string): { run(...a: unknown[]): unknown } },
  id: string,
  name: string,
  url: string,
  key: string,
) =>
  db
    .prepare(
      `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, 'test', 'dev', '#2f6fed', 1, 1)`,
    )
    .run(id, name, url, key, key.slice(-4));

const workflow: WorkflowDefinition = {
  name: 'Orders',
  nodes: [
    {
      id: 'n1',
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      parameters: { path: 'o' },
    },
  ],
  connections: {},
  settings: {},
};

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function station(n8n = new FakeN8n().addInstance('dev')) {
  const t = testContext();
  cleanups.push(t.cleanup);
  const backups = createBackupsModule(t.ctx, t.audit, { port: n8n, appVersion: '1.2.3' });
  cleanups.push(() => backups.stop?.());
  const drafts = createDraftService(t.ctx, t.audit, n8n);
  return { ...t, n8n, backups, drafts, db: t.ctx.store.db };
}

/** Every table a backup holds, every row, in a stable order. */
function dump(db: ReturnType<typeof station>['db']): Record<string, unknown[]> {
  const tables = plainTables(db)
    .map((t) => t.name)
    .filter((name) => !EXCLUDED_TABLES.has(name));
  return Object.fromEntries(
    tables.map((t) => [
      t,
      (db.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).sort((a, b) =>
        JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
      ),
    ]),
  );
}

async function seed(s: ReturnType<typeof station>) {
  const { db, clock } = s;
  insertInstance(db, 'dev', 'Dev', 'http://127.0.0.1:5678', API_KEY);
  db.prepare("INSERT INTO settings VALUES ('operatorName', ?, 5)").run(JSON.stringify('Ada'));
  db.prepare(`INSERT INTO mappings VALUES ('m1', 'order.created', 'dev', 1, '{"event":"order.created"}', 1, 2)`).run();
  const insertExecution = db.prepare(`INSERT INTO executions (source, instance_id, workflow_id, remote_id, status,
    data_json, created_at_ms, duration_ms, updated_at_ms) VALUES ('remote', 'dev', 'wf1', ?, ?, ?, ?, ?, ?)`);
  // A run's payload and request live beside its row (0026_execution_bodies.sql); some runs have none.
  const insertBody = db.prepare('INSERT INTO execution_bodies (id, payload_json, request_json) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 5_000; i++) {
      const id = insertExecution.run(
        `r${i}`,
        i % 7 ? 'success' : 'error',
        i % 3 ? null : '{"x":1.5}',
        i,
        i * 3,
        i,
      ).lastInsertRowid;
      if (i % 10 !== 9)
        insertBody.run(id, JSON.stringify({ i, note: 'ünïcødé ✓' }), i % 2 ? null : JSON.stringify({ url: `/w/${i}` }));
    }
  })();
  const draft = await s.drafts.create('Draft one', 'dev');
  await s.drafts.update(draft.id, workflow);
  s.n8n.seed('dev', workflow);
  clock.advance(1_000);
}

async function exported(
  s: ReturnType<typeof station>,
  options: { passphrase?: string; includeExecutions?: boolean } = {},
) {
  const { file, manifest } = await s.backups.service.export({
    includeExecutions: options.includeExecutions ?? true,
    includeRemote: true,
    ...options,
  });
  return { path: file.path, manifest };
}

async function rejected(promise: Promise<unknown>, code = 'VALIDATION'): Promise<string> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return (e as AppError).message;
  }
  throw new Error(`expected ${code}`);
}

// Real scrypt (32 MiB, on purpose) and real files: give these room on a loaded machine.
describe('backup and restore', () => {
  it('export → a new data dir → restore gives the identical state, every table', async () => {
    const source = station();
    await seed(source);
    const before = dump(source.db);
    const progress: unknown[] = [];
    source.bus.subscribe((event, payload) => event === 'backups:progress' && progress.push(payload));
    const { path, manifest } = await exported(source, { passphrase: 'correct horse battery' });

    expect(manifest.sections.find((s) => s.name === 'table:executions')?.count).toBe(5_000);
    expect(manifest.sections.find((s) => s.name === 'remote:dev')?.count).toBe(1);
    expect(manifest.sections.map((s) => s.name)).not.toContain('table:_migrations');
    const total = manifest.sections.reduce((a, x) => a + x.count, 0);
    expect(progress.at(-1)).toMatchObject({ kind: 'export', phase: 'done', done: total, total });

    const target = station();
    const plan = await target.backups.service.inspect(
      { kind: 'file', path: copyInto(path, target.backups.service.folder) },
      'correct horse battery',
    );
    expect(plan.tables.find((t) => t.table === 'executions')).toMatchObject({
      action: 'replace',
      add: 5_000,
      change: 0,
      remove: 0,
    });
    expect(plan.tables.find((t) => t.table === 'instances')).toMatchObject({ add: 1 });
    expect(plan.remote).toEqual([{ instanceId: 'dev', workflows: 1 }]);
    expect(dump(target.db).executions).toEqual([]); // inspecting changed nothing

    await target.backups.service.restore(plan.restoreId);
    const after = dump(target.db);
    const kept = (after.n8n_snapshots as { label: string; instance_id: string; workflow_count: number }[]).pop();
    expect(kept).toMatchObject({
      instance_id: 'dev',
      workflow_count: 1,
      label: expect.stringContaining('From the backup of'),
    });
    const restoreEntry = (after.audit_log as { action: string }[]).pop();
    expect(restoreEntry?.action).toBe('backup.restore');
    expect(after).toEqual(before);
    expect(target.audit.verify().ok).toBe(true);

    // The backup's n8n workflows, kept as a snapshot, go back into an (empty) instance.
    const snapshotId = (kept as unknown as { id: number }).id;
    const pushed = await target.backups.handlers['backups:snapshotRestore'](
      { snapshotId, targetInstanceId: 'dev' },
      { transport: 'direct' },
    );
    expect(pushed).toMatchObject({ created: 1, updated: 0 });
    expect((await target.n8n.listWorkflows('dev')).map((w) => w.name)).toEqual(['Orders']);
  });

  it('never writes an API key in clear: secret columns are dropped without a passphrase, encrypted with one', async () => {
    const s = station();
    await seed(s);
    const plain = await exported(s);
    const raw = readFileSync(plain.path);
    expect(raw.includes(API_KEY)).toBe(false);
    const text = gunzipSync(raw).toString('utf8');
    expect(text.includes(API_KEY)).toBe(false);
    expect(text).toContain('http://127.0.0.1:5678'); // the rest of the row is there
    expect(plain.manifest.sections.find((x) => x.name === 'table:instances')?.redacted).toEqual([
      'api_key_sealed',
      'api_key_last4',
    ]);

    const sealed = await exported(s, { passphrase: 'a long passphrase' });
    const sealedRaw = readFileSync(sealed.path);
    expect(sealedRaw.includes(API_KEY)).toBe(false);
    expect(sealedRaw.includes(Buffer.from(API_KEY, 'utf16le'))).toBe(false);
    expect(() => gunzipSync(sealedRaw)).toThrow();
  });

  it('restoring a backup without secrets keeps the local key of the same instance and leaves new ones blank', async () => {
    const source = station();
    await seed(source);
    insertInstance(source.db, 'prod', 'Prod', 'http://127.0.0.1:5679', 'prod-key');
    const { path } = await exported(source);
    const target = station();
    insertInstance(target.db, 'dev', 'Old name', 'http://127.0.0.1:5678', 'local-key');
    const plan = await target.backups.service.inspect(
      { kind: 'file', path: copyInto(path, target.backups.service.folder) },
      undefined,
    );
    expect(plan.tables.find((t) => t.table === 'instances')).toMatchObject({ add: 1, change: 1, remove: 0 });
    expect(plan.warnings.join(' ')).toContain('api_key_sealed');
    await target.backups.service.restore(plan.restoreId);
    expect(target.db.prepare('SELECT id, name, api_key_sealed FROM instances ORDER BY id').all()).toEqual([
      { id: 'dev', name: 'Dev', api_key_sealed: 'local-key' },
      { id: 'prod', name: 'Prod', api_key_sealed: '' },
    ]);
  });

  it('restores a backup made before 0026, with payload and request on the executions row, into execution_bodies', async () => {
    const source = station();
    await seed(source);
    const before = dump(source.db);
    const { path } = await exported(source);
    // Rewrite the file as a schema-24 console wrote it: the body columns in the executions section.
    const lines = gunzipSync(readFileSync(path)).toString('utf8').trimEnd().split('\n');
    type Line = {
      t: string;
      schemaVersion?: number;
      name?: string;
      columns?: string[];
      v?: unknown[];
      sections?: Section[];
      count?: number;
    };
    type Section = { name: string; columns: string[]; count: number; sha256: string };
    const parsed = lines.map((l) => JSON.parse(l) as Line);
    const bodies = new Map<unknown, unknown[]>();
    let section = '';
    for (const line of parsed) {
      if (line.t === 'section') section = line.name ?? '';
      else if (line.t === 'row' && section === 'table:execution_bodies' && line.v)
        bodies.set(line.v[0], line.v.slice(1));
    }
    const out: string[] = [];
    const hashes = new Map<string, ReturnType<typeof createHash>>();
    let idAt = -1;
    section = '';
    for (const line of parsed) {
      if (line.t === 'header') line.schemaVersion = 24;
      if (line.t === 'section') {
        section = line.name ?? '';
        if (section === 'table:executions') {
          idAt = line.columns?.indexOf('id') ?? -1;
          line.columns = [...(line.columns ?? []), 'payload_json', 'request_json'];
        }
        hashes.set(section, createHash('sha256'));
      }
      if (section === 'table:execution_bodies') continue;
      if (line.t === 'row' && section === 'table:executions' && line.v)
        line.v = [...line.v, ...(bodies.get(line.v[idAt]) ?? [null, null])];
      if (line.t === 'manifest') {
        line.schemaVersion = 24;
        line.sections = (line.sections ?? [])
          .filter((x) => x.name !== 'table:execution_bodies')
          .map((x) =>
            x.name === 'table:executions'
              ? {
                  ...x,
                  columns: [...x.columns, 'payload_json', 'request_json'],
                  sha256: hashes.get(x.name)!.digest('hex'),
                }
              : x,
          );
      }
      const text = JSON.stringify(line);
      if (line.t === 'row') hashes.get(section)?.update(text + '\n');
      out.push(text);
    }
    expect(out.join('\n')).not.toContain('execution_bodies');
    const target = station();
    const copy = copyInto(path, target.backups.service.folder);
    writeFileSync(copy, gzipSync(Buffer.from(out.join('\n') + '\n')));
    const plan = await target.backups.service.inspect({ kind: 'file', path: copy }, undefined);
    expect(plan.tables.find((t) => t.table === 'execution_bodies')).toMatchObject({ action: 'replace', add: 4_500 });
    await target.backups.service.restore(plan.restoreId);
    const after = dump(target.db);
    expect(after.executions).toEqual(before.executions);
    expect(after.execution_bodies).toEqual(before.execution_bodies);
    // And the run's detail reads its payload there (the search finds it too).
    const hit = target.db
      .prepare("SELECT count(*) FROM execution_search WHERE payload_json LIKE '%ünïcødé%'")
      .pluck()
      .get();
    expect(hit).toBe(4_500);
  });

  it('keeps local execution history when the backup left it out', async () => {
    const source = station();
    await seed(source);
    const { path } = await exported(source, { includeExecutions: false });
    const target = station();
    target.db
      .prepare("INSERT INTO executions (source, status, created_at_ms, updated_at_ms) VALUES ('local', 'queued', 1, 1)")
      .run();
    const plan = await target.backups.service.inspect(
      { kind: 'file', path: copyInto(path, target.backups.service.folder) },
      undefined,
    );
    expect(plan.tables.find((t) => t.table === 'executions')).toMatchObject({ action: 'keep', unchanged: 1 });
    await target.backups.service.restore(plan.restoreId);
    expect(target.db.prepare('SELECT count(*) FROM executions').pluck().get()).toBe(1);
    expect(target.db.prepare('SELECT count(*) FROM drafts').pluck().get()).toBe(1);
  });

  it('keeps the ingest replay ledger: a restore never re-opens the window of signed requests already accepted', async () => {
    const source = station();
    await seed(source);
    const { path } = await exported(source);
    const target = station();
    const remember = target.db.prepare('INSERT INTO ingest_replay (signature_sha256, expires_at_ms) VALUES (?, ?)');
    remember.run(Buffer.from('accepted-before-the-restore'), Date.now() + 300_000);
    const plan = await target.backups.service.inspect(
      { kind: 'file', path: copyInto(path, target.backups.service.folder) },
      undefined,
    );
    expect(plan.tables.map((t) => t.table)).not.toContain('ingest_replay');
    await target.backups.service.restore(plan.restoreId);
    expect(target.db.prepare('SELECT signature_sha256 FROM ingest_replay').pluck().all()).toEqual([
      Buffer.from('accepted-before-the-restore'),
    ]);
  });

  describe('rejects a bad backup and changes nothing', () => {
    async function attempt(mutate: (bytes: Buffer) => Buffer, passphrase?: string, sourcePassphrase?: string) {
      const source = station();
      await seed(source);
      const { path } = await exported(source, sourcePassphrase ? { passphrase: sourcePassphrase } : {});
      const target = station();
      target.db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"', 1)").run();
      const before = dump(target.db);
      const copy = copyInto(path, target.backups.service.folder);
      writeFileSync(copy, mutate(readFileSync(copy)));
      const message = await rejected(target.backups.service.inspect({ kind: 'file', path: copy }, passphrase));
      expect(dump(target.db)).toEqual(before);
      expect(
        target.db.prepare("SELECT name FROM pragma_database_list WHERE name != 'main' AND name != 'temp'").all(),
      ).toEqual([]);
      return message;
    }
    const lines = (bytes: Buffer) => gunzipSync(bytes).toString('utf8').split('\n');
    const regzip = (text: string[]) => gzipSync(Buffer.from(text.join('\n')));

    it('corrupt bytes', async () => {
      const message = await attempt((b) => {
        const c = Buffer.from(b);
        for (let i = 200; i < 260; i++) c[i] = (c[i] ?? 0) ^ 0xff;
        return c;
      });
      expect(message).toMatch(/damaged|checksum|not valid JSON/);
    });

    it('truncated', async () => {
      expect(await attempt((b) => b.subarray(0, Math.floor(b.length / 2)))).toMatch(/damaged or truncated|truncated/);
      expect(await attempt((b) => regzip(lines(b).slice(0, -2)))).toContain('truncated: its manifest is missing');
    });

    it('tampered (a row edited, the JSON still valid): the checksum does not match', async () => {
      const message = await attempt((b) =>
        regzip(lines(b).map((l) => (l.includes('"r42"') ? l.replace('"error"', '"success"') : l))),
      );
      expect(message).toContain('checksum of section table:executions does not match');
    });

    it('a row of the wrong shape', async () => {
      const message = await attempt((b) =>
        regzip(lines(b).map((l) => (l.includes('"r42"') ? l.replace('"r42"', '{"x":1}') : l))),
      );
      expect(message).toContain('row');
    });

    it('from a newer schema', async () => {
      const message = await attempt((b) =>
        regzip(lines(b).map((l) => l.replace(/"schemaVersion":\d+/, '"schemaVersion":999'))),
      );
      expect(message).toContain('newer Flightdeck');
    });

    it('not a backup at all', async () => {
      expect(await attempt(() => Buffer.from('{"hello":"world"}'))).toContain('not a Flightdeck backup');
    });

    it('wrong passphrase, missing passphrase, altered ciphertext', async () => {
      expect(await attempt((b) => b, 'not the passphrase', 'the real passphrase')).toContain('Wrong passphrase');
      expect(await attempt((b) => b, undefined, 'the real passphrase')).toContain('enter the passphrase');
      const altered = await attempt(
        (b) => {
          const c = Buffer.from(b);
          const at = c.length - 40;
          c[at] = (c[at] ?? 0) ^ 0x01;
          return c;
        },
        'the real passphrase',
        'the real passphrase',
      );
      expect(altered).toMatch(/altered or is damaged|damaged/);
      // Only the tag changed: the content still reads, but the file is not the one that was written.
      const tag = await attempt(
        (b) => {
          const c = Buffer.from(b);
          c[c.length - 1] = (c[c.length - 1] ?? 0) ^ 0x01;
          return c;
        },
        'the real passphrase',
        'the real passphrase',
      );
      expect(tag).toContain('authentication failed');
    });
  });

  it('refuses a flipped byte, a truncated file and a non-gzip file without an unhandled error, leaving no staging file', async () => {
    // The reader once stopped at a bad line and left gunzip running: its late "incorrect data
    // check" escaped as an unhandled 'error' about a second later and ended the process.
    const unhandled: unknown[] = [];
    const record = (error: unknown) => void unhandled.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      const source = station();
      await seed(source);
      const { path } = await exported(source);
      const bytes = readFileSync(path);
      const target = station();
      const before = dump(target.db);
      // Staging databases live in the data folder (owner-only), not the shared temp folder.
      const staging = join(target.backups.service.folder, 'incoming');
      const flipped = flipOneByteMidway(bytes);
      const cases: [string, Buffer, RegExp][] = [
        ['flipped', flipped, /damaged|checksum|not valid JSON/],
        ['truncated', bytes.subarray(0, Math.floor(bytes.length * 0.7)), /damaged or truncated|truncated/],
        ['not-gzip', Buffer.from('PK\u0003\u0004 a zip, not a backup'), /not a Flightdeck backup/],
      ];
      for (const [name, content, expected] of cases) {
        const file = join(
          target.backups.service.folder,
          `flightdeck-backup-2025-01-01T00-00-00Z-${name
            .replace(/[^a-z]/g, '')
            .slice(0, 6)
            .padEnd(6, 'x')}.fdbk`,
        );
        mkdirSync(target.backups.service.folder, { recursive: true });
        writeFileSync(file, content);
        expect(await rejected(target.backups.service.inspect({ kind: 'file', path: file }, undefined))).toMatch(
          expected,
        );
        // Refused means finished: no staging database is attached or left behind.
        expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
        expect(
          target.db.prepare("SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')").all(),
        ).toEqual([]);
      }
      // The window in which the old reader's late error surfaced, with room to spare.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(unhandled).toEqual([]);
      expect(dump(target.db)).toEqual(before);
      // And the service still works: the intact file restores.
      const plan = await target.backups.service.inspect(
        { kind: 'file', path: copyInto(path, target.backups.service.folder) },
        undefined,
      );
      await target.backups.service.restore(plan.restoreId);
      expect(readdirSync(staging)).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
  });

  it('a restore that fails while applying changes nothing (one transaction)', async () => {
    const source = station();
    await seed(source);
    const { path } = await exported(source);
    const target = station();
    target.db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"', 1)").run();
    const plan = await target.backups.service.inspect(
      { kind: 'file', path: copyInto(path, target.backups.service.folder) },
      undefined,
    );
    target.db.exec(
      "CREATE TRIGGER fail_restore BEFORE INSERT ON drafts BEGIN SELECT RAISE(ABORT, 'disk trouble'); END",
    );
    const before = dump(target.db);
    await expect(target.backups.service.restore(plan.restoreId)).rejects.toThrow('disk trouble');
    expect(dump(target.db)).toEqual(before);
  });

  it('receives a file in pieces (upload), then inspects and restores it', async () => {
    const source = station();
    await seed(source);
    const { path } = await exported(source);
    const bytes = readFileSync(path);
    const target = station();
    const uploadId = 'upload-0001';
    const piece = 64 * 1024;
    for (let offset = 0; offset < bytes.length; offset += piece) {
      await target.backups.service.upload(uploadId, offset, bytes.subarray(offset, offset + piece).toString('base64'));
    }
    await rejected(target.backups.service.upload(uploadId, 3, 'AAAA'));
    const plan = await target.backups.service.inspect({ kind: 'upload', uploadId }, undefined);
    await target.backups.service.restore(plan.restoreId);
    expect(target.db.prepare('SELECT count(*) FROM executions').pluck().get()).toBe(5_000);
    await rejected(target.backups.service.restore(plan.restoreId), 'NOT_FOUND');
  });

  it('reads only listed backup files, in pieces', async () => {
    const s = station();
    const { path } = await exported(s);
    const listed = await s.backups.service.list();
    expect(listed.files.map((f) => f.path)).toEqual([path]);
    const first = await s.backups.service.read(path, 0, 10);
    expect(Buffer.from(first.dataBase64, 'base64')).toEqual(readFileSync(path).subarray(0, 10));
    await rejected(s.backups.service.read('/etc/passwd', 0, 10), 'NOT_FOUND');
    await rejected(
      s.backups.service.read(join(s.backups.service.folder, '..', 'flightdeck.sqlite'), 0, 10),
      'NOT_FOUND',
    );
  });
});

describe('automatic backups', () => {
  it('run when due and keep only the newest N', async () => {
    const s = station();
    const dir = tempDir();
    cleanups.push(dir.remove);
    s.backups.schedule.set({
      enabled: true,
      intervalMs: 15 * 60_000,
      folder: dir.path,
      keep: 2,
      includeExecutions: false,
    });
    expect(await s.backups.schedule.runDue()).toBeNull();
    for (let i = 0; i < 3; i++) {
      s.clock.advance(15 * 60_000);
      expect(await s.backups.schedule.runDue()).not.toBeNull();
      expect(await s.backups.schedule.runDue()).toBeNull();
    }
    const files = (await s.backups.service.list()).files;
    expect(files).toHaveLength(2);
    expect(s.backups.schedule.get()?.lastResult).toMatch(/^ok: .*\(1 older removed\)$/);
  });

  it('refuses bad input at the contract boundary', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const bad = await t.core.call('backups:scheduleSet', {
      schedule: { enabled: true, intervalMs: 1, folder: '', keep: 0, includeExecutions: false },
    });
    expect(!bad.ok && bad.error.code).toBe('VALIDATION');
    const relative = await t.core.call('backups:scheduleSet', {
      schedule: { enabled: true, intervalMs: 3_600_000, folder: 'backups/auto', keep: 3, includeExecutions: false },
    });
    expect(!relative.ok && relative.error.message).toContain('absolute folder');
    const weak = await t.core.call('backups:export', { passphrase: 'short' });
    expect(!weak.ok && weak.error.code).toBe('VALIDATION');
    const badUpload = await t.core.call('backups:upload', { uploadId: '../../etc', offset: 0, dataBase64: '' });
    expect(!badUpload.ok && badUpload.error.code).toBe('VALIDATION');
    const gone = await t.core.call('backups:inspect', { source: { kind: 'upload', uploadId: 'never-uploaded' } });
    expect(!gone.ok && gone.error.code).toBe('NOT_FOUND');
    const outside = await t.core.call('backups:inspect', { source: { kind: 'file', path: '/etc/hostname' } });
    expect(!outside.ok && outside.error.code).toBe('NOT_FOUND');
    const unknown = await t.core.call('backups:restore', { restoreId: 'nope' });
    expect(!unknown.ok && unknown.error.code).toBe('NOT_FOUND');
    // With no instances wired, a backup still works (no remote sections).
    const made = await t.core.call('backups:export', {});
    expect(made.ok && made.data.manifest.sections.every((x) => x.kind === 'table')).toBe(true);
  });
});

describe('n8n snapshots', () => {
  it('pulls workflows, tags and variables into numbered snapshots and migrates them to another instance', async () => {
    const n8n = new FakeN8n().addInstance('a').addInstance('b', { variablesLicensed: false });
    const s = station(n8n);
    const tag = await n8n.createTag('a', 'billing');
    const wf = n8n.seed('a', workflow, { tags: [tag], active: true });
    n8n.seed('a', { ...workflow, name: 'Second' });
    await n8n.createVariable('a', { key: 'REGION', value: 'eu' });

    const first = await s.backups.handlers['backups:snapshotTake'](
      { instanceId: 'a', label: '' },
      { transport: 'direct' },
    );
    const second = await s.backups.handlers['backups:snapshotTake'](
      { instanceId: 'a', label: 'before upgrade' },
      { transport: 'direct' },
    );
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(second).toMatchObject({ label: 'before upgrade', workflowCount: 2, tagCount: 1, variableCount: 1 });

    const result = await s.backups.handlers['backups:snapshotRestore'](
      { snapshotId: second.id, targetInstanceId: 'b' },
      { transport: 'direct' },
    );
    expect(result).toMatchObject({ created: 2, updated: 0, tagsCreated: 1, variablesCreated: 0 });
    expect(result.warnings.join(' ')).toContain('Variables were not restored');
    const migrated = await n8n.listWorkflows('b');
    expect(migrated.map((w) => w.name).sort()).toEqual(['Orders', 'Second']);
    expect(migrated.find((w) => w.id === result.idMap[wf.id])?.tags.map((t) => t.name)).toEqual(['billing']);
    expect(n8n.sent.every((x) => Object.keys(x.body).sort().join() === 'connections,name,nodes,settings')).toBe(true);

    const again = await s.backups.handlers['backups:snapshotRestore'](
      { snapshotId: second.id, targetInstanceId: 'b' },
      { transport: 'direct' },
    );
    expect(again).toMatchObject({ created: 0, updated: 2, tagsCreated: 0 });
    await rejected(
      Promise.resolve().then(() =>
        s.backups.handlers['backups:snapshotRestore'](
          { snapshotId: 999, targetInstanceId: 'b' },
          { transport: 'direct' },
        ),
      ),
      'NOT_FOUND',
    );
  });
});

/**
 * The backup with one byte flipped such that, as in the field report, a row in the middle no
 * longer parses while gunzip, still reading, fails its CRC check at the end only later. The file
 * is gzipped without compression (still a valid backup) so the byte to flip is exactly the first
 * character of that row.
 */
function flipOneByteMidway(bytes: Buffer): Buffer {
  const lines = gunzipSync(bytes).toString('utf8').split('\n');
  const stored = gzipSync(Buffer.from(lines.join('\n')), { level: 0 });
  for (let index = Math.floor(lines.length / 2); index < lines.length; index++) {
    const line = lines[index] ?? '';
    // Stored blocks split the data every 64 KiB: take a row that lies within one block.
    const at = stored.indexOf(Buffer.from(line));
    if (at === -1 || !line.startsWith('{"t":"row"')) continue;
    stored[at] = (stored[at] ?? 0) ^ 0x01; // '{' → 'z'
    return stored;
  }
  throw new Error('no row to break in this backup');
}

/** Restores read only from Flightdeck's own folders: put the file where the target looks. */
function copyInto(path: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  const target = join(folder, path.split('/').pop() ?? 'x');
  copyFileSync(path, target);
  return target;
}

describe('restore through the whole core', () => {
  it('announces every area afresh so other windows refresh their caches', async () => {
    const a = testCore();
    const b = testCore();
    cleanups.push(a.cleanup, b.cleanup);
    await a.core.call('settings:update', { patch: { operatorName: 'Zed' } });
    const made = await a.core.call('backups:export', {});
    if (!made.ok) throw new Error(made.error.message);
    const path = copyInto(made.data.file.path, join(b.dataDir, 'backups'));
    const plan = await b.core.call('backups:inspect', { source: { kind: 'file', path } });
    if (!plan.ok) throw new Error(plan.error.message);
    const events: [string, unknown][] = [];
    b.core.subscribe((event, payload) => events.push([event, payload]));
    const restored = await b.core.call('backups:restore', { restoreId: plan.data.restoreId });
    expect(restored.ok).toBe(true);
    expect(events.find(([e]) => e === 'settings:changed')?.[1]).toMatchObject({ operatorName: 'Zed' });
    expect(events.map(([e]) => e)).toEqual(
      expect.arrayContaining(['mappings:changed', 'drafts:changed', 'backups:changed']),
    );
    const settings = await b.core.call('settings:get', {});
    expect(settings.ok && settings.data.operatorName).toBe('Zed');
  });
});
