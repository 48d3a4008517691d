/**
 * Writes a backup file: gzip of JSON lines (header, then per section a `section` line and its
 * rows, then the manifest with counts and SHA-256 per section), optionally encrypted. Streamed
 * in chunks from a consistent copy of the store (VACUUM INTO), so 100k executions never become
 * one string and other writers are blocked only for the copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { BackupManifest, BackupSection } from '../../../shared/contract/backups';
import { AppError } from '../../../shared/result';
import type { N8nWorkflowsPort, RemoteWorkflow } from '../drafts/n8n-port';
import { checked, remoteWorkflowSchema } from '../drafts/n8n-port';
import { encryptor } from './backup-crypto';
import { dependencyOrder, isSecretColumn, OPTIONAL_TABLES, quote, readTables, type TableInfo } from './tables';

export const FORMAT = 'flightdeck-backup';
export const FORMAT_VERSION = 1;
/** Rows read from SQLite per step; also the grain of progress events. */
const CHUNK_ROWS = 2_000;
const SNAPSHOT_SCHEMA = 'fd_export';

export interface WriteBackupOptions {
  db: Database.Database;
  schemaVersion: number;
  appVersion: string;
  now: number;
  includeExecutions: boolean;
  includeRemote: boolean;
  /** Keeps secret columns and encrypts the whole file. */
  passphrase?: string;
  /**
   * Where the consistent copy of the store is made (a full copy, secrets included): a folder
   * only the owner can read, never the shared temp folder.
   */
  scratchDir: string;
  port: N8nWorkflowsPort;
  onProgress(done: number, total: number, phase: string): void;
}

/** A cell as written: SQLite values, with BLOBs as base64. */
export type Cell = string | number | null | { $b64: string };
const toCell = (v: unknown): Cell =>
  Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : typeof v === 'bigint' ? Number(v) : (v as Cell);

async function pullRemote(port: N8nWorkflowsPort) {
  const out: { instanceId: string; workflows: RemoteWorkflow[]; error: string | null }[] = [];
  for (const instance of await port.listInstances()) {
    try {
      // Ask cheaply first: a down instance should not hold the local backup up for a timeout.
      if (!(await port.isReachable(instance.id))) throw new Error(`${instance.name} is unreachable`);
      const list = await port.listWorkflows(instance.id);
      const workflows = list.map((w) => checked(remoteWorkflowSchema, w, `a workflow of ${instance.id}`));
      out.push({ instanceId: instance.id, workflows, error: null });
    } catch (error) {
      // One instance down must not cost the operator the local backup; the manifest says why.
      out.push({ instanceId: instance.id, workflows: [], error: (error as Error).message });
    }
  }
  return out;
}

/** Writes the backup to `target` (via a temp file renamed at the end). Returns its manifest. */
export async function writeBackup(target: string, options: WriteBackupOptions): Promise<BackupManifest> {
  const { db } = options;
  const remote = options.includeRemote ? await pullRemote(options.port) : [];
  mkdirSync(options.scratchDir, { recursive: true, mode: 0o700 });
  const copy = join(options.scratchDir, `export-${randomUUID()}.sqlite`);
  const partial = `${target}.partial`;
  let attached = false;
  try {
    // A consistent picture of every table at one moment, taken in one statement.
    db.prepare('VACUUM INTO ?').run(copy);
    db.prepare(`ATTACH DATABASE ? AS ${SNAPSHOT_SCHEMA}`).run(copy);
    attached = true;
    const tables = dependencyOrder(readTables(db, SNAPSHOT_SCHEMA)).filter(
      (t) => options.includeExecutions || !OPTIONAL_TABLES.has(t.name),
    );
    const counts = tables.map(
      (t) =>
        db
          .prepare(`SELECT count(*) FROM ${SNAPSHOT_SCHEMA}.${quote(t.name)}`)
          .pluck()
          .get() as number,
    );
    const total = counts.reduce((a, b) => a + b, 0) + remote.reduce((a, r) => a + r.workflows.length, 0);
    const manifest: BackupManifest = {
      t: 'manifest',
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      appVersion: options.appVersion,
      schemaVersion: options.schemaVersion,
      createdAtMs: options.now,
      secrets: options.passphrase ? 'encrypted' : 'dropped',
      includesExecutions: options.includeExecutions,
      sections: [],
    };
    let done = 0;
    const progress = (phase: string) => options.onProgress(done, total, phase);

    async function* lines(): AsyncGenerator<string> {
      const { sections: _s, t: _t, ...header } = manifest;
      yield JSON.stringify({ t: 'header', ...header }) + '\n';
      for (const table of tables) {
        const section = sectionOf(table, options.passphrase !== undefined);
        yield JSON.stringify({ t: 'section', ...section }) + '\n';
        const hash = createHash('sha256');
        for (const chunk of readChunks(db, table, section.columns)) {
          const text = chunk.map((row) => JSON.stringify({ t: 'row', v: row.map(toCell) }) + '\n').join('');
          hash.update(text);
          section.count += chunk.length;
          done += chunk.length;
          progress(`table ${table.name}`);
          yield text;
        }
        manifest.sections.push({ ...section, sha256: hash.digest('hex') });
      }
      for (const r of remote) {
        const section: BackupSection = {
          name: `remote:${r.instanceId}`,
          kind: 'remote',
          count: 0,
          sha256: '',
          columns: [],
          redacted: [],
          error: r.error,
        };
        yield JSON.stringify({ t: 'section', ...section }) + '\n';
        const hash = createHash('sha256');
        for (const workflow of r.workflows) {
          const line = JSON.stringify({ t: 'wf', w: workflow }) + '\n';
          hash.update(line);
          section.count++;
          done++;
          yield line;
        }
        progress(`workflows of ${r.instanceId}`);
        manifest.sections.push({ ...section, sha256: hash.digest('hex') });
      }
      yield JSON.stringify(manifest) + '\n';
    }

    const encrypt = options.passphrase ? await encryptor(options.passphrase) : null;
    const source = Readable.from(lines());
    if (encrypt) await pipeline(source, createGzip(), encrypt, createWriteStream(partial, { mode: 0o600 }));
    else await pipeline(source, createGzip(), createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, target);
    progress('done');
    return manifest;
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('INTERNAL', `The backup could not be written to ${target}: ${(error as Error).message}`);
  } finally {
    if (attached) db.prepare(`DETACH DATABASE ${SNAPSHOT_SCHEMA}`).run();
    await rm(copy, { force: true });
  }
}

function sectionOf(table: TableInfo, keepSecrets: boolean): BackupSection {
  const secret = table.columns.filter((c) => isSecretColumn(c.name)).map((c) => c.name);
  return {
    name: `table:${table.name}`,
    kind: 'table',
    count: 0,
    sha256: '',
    columns: table.columns.map((c) => c.name).filter((c) => keepSecrets || !secret.includes(c)),
    redacted: keepSecrets ? [] : secret,
    error: null,
  };
}

/** Rows in rowid order, a chunk at a time (keyset paging, so each chunk costs the same). */
function* readChunks(db: Database.Database, table: TableInfo, columns: string[]): Generator<unknown[][]> {
  const cols = columns.map(quote).join(', ');
  const from = `${SNAPSHOT_SCHEMA}.${quote(table.name)}`;
  let byRowid: Database.Statement | undefined;
  try {
    byRowid = db.prepare(`SELECT rowid, ${cols} FROM ${from} WHERE rowid > ? ORDER BY rowid LIMIT ${CHUNK_ROWS}`).raw();
  } catch {
    byRowid = undefined; // a WITHOUT ROWID table: page by primary key order instead
  }
  if (byRowid) {
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = byRowid.all(after) as unknown[][];
      if (rows.length === 0) return;
      after = rows.at(-1)?.[0] as number;
      yield rows.map((r) => r.slice(1));
    }
  }
  const order = table.primaryKey.map(quote).join(', ') || cols;
  const page = db.prepare(`SELECT ${cols} FROM ${from} ORDER BY ${order} LIMIT ${CHUNK_ROWS} OFFSET ?`).raw();
  for (let offset = 0; ; offset += CHUNK_ROWS) {
    const rows = page.all(offset) as unknown[][];
    if (rows.length === 0) return;
    yield rows;
  }
}
