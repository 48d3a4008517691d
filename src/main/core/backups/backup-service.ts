import { randomUUID } from 'node:crypto';
import { previewByName } from './restore-names';
import type { InstanceRestore } from '../../../shared/contract/backups';
import { mkdirSync, rmSync } from 'node:fs';
import { appendFile, open, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BackupFile, BackupManifest, RestorePlan } from '../../../shared/contract/backups';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { N8nWorkflowsPort } from '../drafts/n8n-port';
import { detectKind } from './backup-crypto';
import { createStaging, stageBackup, STAGING_SCHEMA, type RestoreLimits, type StagedBackup } from './backup-reader';
import {
  applyRestore,
  instanceWarnings,
  previewInstances,
  previewRestore,
  type InstanceKeyCheck,
} from './backup-restore';
import { writeBackup } from './backup-writer';

/** Backup files are named by the time they were made; only such names are read or pruned. */
export const BACKUP_NAME = /^flightdeck-backup-[0-9TZ-]+(-auto)?(-[a-z0-9]{6})?\.fdbk$/;
/** A staged restore not applied within this time is discarded (ms). */
const STAGED_TTL_MS = 30 * 60_000;

export interface BackupServiceDeps {
  port: N8nWorkflowsPort;
  appVersion: string;
  /** Extra folders whose backups are listed (the automatic-backup folder). */
  extraFolders(): string[];
  /** Tells whether a key carried by a backup opens here (the instances area); absent: assumed to. */
  keys?: InstanceKeyCheck;
  /**
   * Runs every area's restore hook once a restore has committed (reload caches, re-plan timers,
   * announce changes); `backups:restored` is announced after it settles.
   */
  afterRestore?: () => Promise<void>;
  /** What one restore may read (tests lower it); default DEFAULT_RESTORE_LIMITS. */
  restoreLimits?: Partial<RestoreLimits>;
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');

export function createBackupService(ctx: CoreContext, audit: AuditLog, deps: BackupServiceDeps) {
  const folder = join(ctx.dataDir, 'backups');
  /**
   * Uploads and staging databases: inside the data folder (owner-only), never the shared temp
   * folder, since a staging database holds the backup's rows in clear.
   */
  const uploads = join(folder, 'incoming');
  const staged = new Map<string, { staged: StagedBackup; file: string; atMs: number }>();
  // Staged restores live in memory only: an upload or staging file left by an earlier run is useless.
  rmSync(uploads, { recursive: true, force: true });

  const logRemoveFailure = (file: string) => (error: unknown) =>
    ctx.logger.warn('Could not remove a restore file; it is removed at the next start', { file, error });
  /** A staging database with the journal SQLite may have left beside it. */
  const stagingFiles = (file: string) => [file, `${file}-journal`, `${file}-wal`, `${file}-shm`];
  const removeStagingFile = (file: string) =>
    Promise.all(stagingFiles(file).map((f) => rm(f, { force: true }).catch(logRemoveFailure(f)))).then(() => undefined);
  const detach = () => void ctx.store.db.prepare(`DETACH DATABASE ${STAGING_SCHEMA}`).run();
  /** On a failure path: the original error is the one to report. */
  const detachQuietly = () => {
    try {
      detach();
    } catch (error) {
      ctx.logger.warn('Could not detach the restore staging database', { error });
    }
  };
  /** One export or restore at a time: both attach databases to the one connection. */
  let busy: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = busy.then(fn, fn);
    busy = next.catch(() => undefined);
    return next;
  };

  const progress = (
    operationId: string,
    kind: 'export' | 'inspect' | 'restore',
    phase: string,
    done: number,
    total: number,
  ) =>
    // An empty write: events leave only through committed writes.
    ctx.store.write((announce) => announce('backups:progress', { operationId, kind, phase, done, total }));

  async function describe(path: string): Promise<BackupFile> {
    const info = await stat(path);
    return {
      path,
      name: basename(path),
      bytes: info.size,
      modifiedAtMs: Math.round(info.mtimeMs),
      encrypted: (await detectKind(path)) === 'encrypted',
    };
  }

  async function list(): Promise<{ folder: string; files: BackupFile[] }> {
    const files: BackupFile[] = [];
    for (const dir of [folder, ...deps.extraFolders()]) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue; // a folder not created yet holds no backups
      }
      for (const name of names.filter((n) => BACKUP_NAME.test(n))) files.push(await describe(join(dir, name)));
    }
    return { folder, files: files.sort((a, b) => b.modifiedAtMs - a.modifiedAtMs) };
  }

  /** Only backup files in Flightdeck's own folders may be read: never an arbitrary path. */
  function knownPath(path: string): string {
    const full = resolve(path);
    const folders = [folder, ...deps.extraFolders()].map((f) => resolve(f));
    if (!folders.includes(dirname(full)) || !BACKUP_NAME.test(basename(full))) {
      throw new AppError('NOT_FOUND', 'No such backup file; pick one from the list.');
    }
    return full;
  }

  async function exportTo(
    dir: string,
    options: {
      includeExecutions: boolean;
      includeRemote: boolean;
      passphrase?: string;
      operationId?: string;
      auto?: boolean;
    },
  ): Promise<{ file: BackupFile; manifest: BackupManifest }> {
    return exclusive(async () => {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const now = ctx.clock.now();
      const suffix = `${options.auto ? '-auto' : ''}-${randomUUID().slice(0, 6)}`;
      const target = join(dir, `flightdeck-backup-${stamp(now)}${suffix}.fdbk`);
      const operationId = options.operationId ?? randomUUID();
      let lastReport = -1;
      const manifest = await writeBackup(target, {
        db: ctx.store.db,
        schemaVersion: ctx.store.schemaVersion,
        appVersion: deps.appVersion,
        now,
        includeExecutions: options.includeExecutions,
        includeRemote: options.includeRemote,
        ...(options.passphrase ? { passphrase: options.passphrase } : {}),
        port: deps.port,
        scratchDir: uploads,
        onProgress(done, total, phase) {
          if (done !== total && done - lastReport < 5_000) return;
          lastReport = done;
          progress(operationId, 'export', phase, done, total);
        },
      });
      ctx.store.write((announce) => {
        audit.record(announce, {
          actor: options.auto ? 'scheduler' : ctx.operator(),
          action: 'backup.export',
          targetType: 'backup',
          targetId: basename(target),
          details: {
            encrypted: manifest.secrets === 'encrypted',
            includesExecutions: manifest.includesExecutions,
            rows: manifest.sections.reduce((a, s) => a + s.count, 0),
          },
        });
        announce('backups:changed', { reason: 'export' });
      });
      return { file: await describe(target), manifest };
    });
  }

  async function read(path: string, offset: number, length: number) {
    const full = knownPath(path);
    const file = await open(full, 'r');
    try {
      const size = (await file.stat()).size;
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      await file.read(buffer, 0, buffer.length, offset);
      return { dataBase64: buffer.toString('base64'), bytes: size, done: offset + buffer.length >= size };
    } finally {
      await file.close();
    }
  }

  async function upload(uploadId: string, offset: number, dataBase64: string) {
    mkdirSync(uploads, { recursive: true, mode: 0o700 });
    const path = join(uploads, `${uploadId}.part`);
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (offset === 0 && size > 0) await rm(path);
    else if (offset !== size)
      throw new AppError(
        'VALIDATION',
        `Upload ${uploadId} expected offset ${size}, got ${offset}; start the upload again.`,
      );
    await appendFile(path, Buffer.from(dataBase64, 'base64'), { mode: 0o600 });
    return { bytes: (await stat(path)).size };
  }

  function discardStaged(restoreId: string): boolean {
    const entry = staged.get(restoreId);
    if (!entry) return false;
    staged.delete(restoreId);
    void removeStagingFile(entry.file);
    return true;
  }

  /** Validates the whole file into a staging database and previews the restore. Changes nothing. */
  async function inspect(
    source: { kind: 'upload'; uploadId: string } | { kind: 'file'; path: string },
    passphrase: string | undefined,
    operationId: string = randomUUID(),
  ): Promise<RestorePlan> {
    const path = source.kind === 'file' ? knownPath(source.path) : join(uploads, `${source.uploadId}.part`);
    if (source.kind === 'upload' && !(await stat(path).catch(() => null))) {
      throw new AppError('NOT_FOUND', 'That upload is gone; pick the file again.');
    }
    for (const [id, entry] of staged) if (ctx.clock.now() - entry.atMs > STAGED_TTL_MS) discardStaged(id);
    return exclusive(async () => {
      const restoreId = randomUUID();
      mkdirSync(uploads, { recursive: true, mode: 0o700 });
      const file = join(uploads, `staging-${restoreId}.sqlite`);
      const { db } = ctx.store;
      let reported = 0;
      let attached = false;
      try {
        createStaging(db, file);
        attached = true;
        const result = await stageBackup(db, {
          path,
          ...(passphrase ? { passphrase } : {}),
          schemaVersion: ctx.store.schemaVersion,
          ...(deps.restoreLimits ? { limits: deps.restoreLimits } : {}),
          onProgress: (done, phase) => {
            if (done - reported < 10_000) return;
            reported = done;
            progress(operationId, 'inspect', phase, done, -1);
          },
        });
        const tables = previewRestore(db, result);
        const instances = previewInstances(db, result, deps.keys);
        const byName = previewByName(db, result);
        attached = false;
        detach();
        staged.set(restoreId, { staged: result, file, atMs: ctx.clock.now() });
        return {
          restoreId,
          manifest: result.manifest,
          tables,
          instances,
          remote: result.remote,
          warnings: [...warningsOf(result, instanceNames(instances)), ...instanceWarnings(instances)],
          ...byName,
        };
      } catch (error) {
        if (attached) detachQuietly();
        await removeStagingFile(file);
        throw error;
      } finally {
        if (source.kind === 'upload') await rm(path, { force: true }).catch(logRemoveFailure(path));
      }
    });
  }

  /** Instance id → its name (after the restore, else before): warnings name instances, not ids. */
  function instanceNames(instances: InstanceRestore[]): Map<string, string> {
    return new Map(instances.map((i) => [i.instanceId, i.name.after ?? i.name.before ?? i.instanceId]));
  }

  function warningsOf(result: StagedBackup, names: Map<string, string>): string[] {
    const warnings: string[] = [];
    for (const s of result.manifest.sections) {
      if (s.redacted.length) {
        warnings.push(
          `${s.name.slice(6)}: ${s.redacted.join(', ')} not in this backup (no passphrase); rows kept keep their local value, others need them re-entered.`,
        );
      }
      if (s.error) {
        const id = s.name.replace(/^remote:/, '');
        warnings.push(`n8n workflows of ${names.get(id) ?? id} were not pulled (${s.error}).`);
      }
    }
    if (!result.manifest.includesExecutions)
      warnings.push('Execution history is not in this backup: the local history is kept as it is.');
    return warnings;
  }

  /** Applies a staged backup in one transaction; on any failure nothing changes. */
  async function restore(restoreId: string) {
    const entry = staged.get(restoreId);
    if (!entry)
      throw new AppError('NOT_FOUND', 'This restore preview expired or was already applied; inspect the file again.');
    return exclusive(async () => {
      const { db } = ctx.store;
      let attached = false;
      let result;
      try {
        db.prepare(`ATTACH DATABASE ? AS ${STAGING_SCHEMA}`).run(entry.file);
        attached = true;
        result = ctx.store.write((announce) => {
          const instances = previewInstances(db, entry.staged, deps.keys);
          const applied = applyRestore(db, entry.staged);
          const warnings = instanceWarnings(instances);
          audit.record(announce, {
            actor: ctx.operator(),
            action: 'backup.restore',
            targetType: 'backup',
            details: {
              createdAtMs: entry.staged.manifest.createdAtMs,
              ...applied,
              keysDropped: instances.filter((i) => i.apiKey === 'dropped').map((i) => i.instanceId),
            },
          });
          announce('backups:changed', { reason: 'restore' });
          return { ...applied, instances, warnings };
        });
      } finally {
        if (attached) detachQuietly();
        staged.delete(restoreId);
        await removeStagingFile(entry.file);
      }
      // Committed: every area now reloads what it cached from the old rows, then every window
      // refetches. The restore has happened whatever a hook does, so its answer is success.
      await deps
        .afterRestore?.()
        .catch((error: unknown) =>
          ctx.logger.error('Reloading after a restore failed; restart Flightdeck if a page looks stale', { error }),
        );
      ctx.store.write((announce) => announce('backups:restored', { atMs: ctx.clock.now() }));
      return result;
    });
  }

  /** Deletes the oldest automatic backups in `dir` beyond `keep`. */
  async function prune(dir: string, keep: number): Promise<number> {
    const names = (await readdir(dir).catch(() => [] as string[])).filter(
      (n) => BACKUP_NAME.test(n) && n.includes('-auto'),
    );
    // Names start with the time the backup was made, so name order is age order.
    const old = names.sort().reverse().slice(keep);
    for (const n of old) await rm(join(dir, n), { force: true });
    return old.length;
  }

  return {
    folder,
    list,
    exportTo,
    export: (options: {
      includeExecutions: boolean;
      includeRemote: boolean;
      passphrase?: string;
      operationId?: string;
    }) => exportTo(folder, options),
    read,
    upload,
    inspect,
    restore,
    discard: (restoreId: string) => ({ discarded: discardStaged(restoreId) }),
    prune,
    dispose() {
      // Synchronous: the process may be about to exit.
      for (const { file } of staged.values()) for (const f of stagingFiles(file)) rmSync(f, { force: true });
      staged.clear();
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
