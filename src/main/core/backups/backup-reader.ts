/**
 * Reads and checks a backup file completely, loading its rows into a staging database attached
 * to the store's connection (never into the store's own tables). Anything wrong — not a backup,
 * damaged, truncated, a checksum that does not match, a wrong passphrase, a row of the wrong
 * shape, a newer schema — throws VALIDATION before the store is touched.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  backupManifestSchema,
  backupSectionSchema,
  MAX_BACKUP_SECTIONS,
  MAX_DATE_MS,
  type BackupManifest,
  type BackupSection,
} from '../../../shared/contract/backups';
import { AppError } from '../../../shared/result';
import { remoteWorkflowSchema } from '../drafts/n8n-port';
import { describeIssues } from '../invoke';
import { detectKind, openEncrypted } from './backup-crypto';
import { FORMAT, FORMAT_VERSION } from './backup-writer';
import {
  isSecretColumn,
  MOVED_COLUMNS,
  placeholderFor,
  plainTables,
  quote,
  readTables,
  type TableInfo,
} from './tables';

export const STAGING_SCHEMA = 'fd_restore';
/** Staging only: the backup's n8n workflows, which a restore keeps as n8n snapshots. */
export const REMOTE_STAGING_TABLE = `${STAGING_SCHEMA}.fd_remote_workflows`;
const BATCH_ROWS = 2_000;

const headerSchema = backupManifestSchema
  .omit({ t: true, sections: true })
  .extend({ t: z.literal('header') })
  .strict();
const sectionLineSchema = backupSectionSchema.omit({ sha256: true, count: true }).extend({
  t: z.literal('section'),
  count: z.number().int(),
  sha256: z.string(),
});
const cellSchema = z.union([z.string(), z.number(), z.null(), z.object({ $b64: z.string() }).strict()]);
const rowLineSchema = z.object({ t: z.literal('row'), v: z.array(cellSchema) }).strict();
const workflowLineSchema = z.object({ t: z.literal('wf'), w: remoteWorkflowSchema }).strict();

export interface StagedBackup {
  manifest: BackupManifest;
  /** Tables present in the backup (names), in the order they were written (parents first). */
  tables: string[];
  remote: { instanceId: string; workflows: number }[];
}

const invalid = (message: string) => new AppError('VALIDATION', `${message} Nothing was changed.`);

const MIB = 1024 * 1024;

/** What one restore may read, so that a hostile file can neither hold the CPU nor fill the disk. */
export interface RestoreLimits {
  /** A line longer than this is refused rather than grown until memory runs out (characters). */
  maxLineChars: number;
  /**
   * Decompressed bytes one backup may hold: its rows are staged on the data folder's disk, so a
   * gzip bomb of valid rows (1000:1) would otherwise fill it.
   */
  maxBytes: number;
  /** Free space the staging database's disk (the data folder's) keeps while a backup is staged. */
  minFreeBytes: number;
}

/**
 * 32 GiB: a large real backup — a million runs with about 10 KB of payload and request each — is
 * roughly 11 GB decompressed (an estimate: ~10 KB of bodies plus a few hundred bytes of row per
 * run). The free-space floor is what protects a smaller disk.
 */
export const DEFAULT_RESTORE_LIMITS: RestoreLimits = {
  maxLineChars: 128 * MIB,
  maxBytes: 32 * 1024 * MIB,
  minFreeBytes: 512 * MIB,
};
/** Free space is looked at before reading and again after every this many decompressed bytes. */
const FREE_CHECK_BYTES = 32 * MIB;

/** The lines of a backup file, read through one stream pipeline that `close` always tears down. */
interface BackupLines {
  kind: 'encrypted' | 'gzip';
  lines: AsyncIterable<string>;
  /**
   * Settles once every stream has ended: only then were the last checks made (the gzip CRC and
   * length, the GCM tag), which fail after the last line has been read.
   */
  completed: Promise<void>;
  /** Destroys every stream and resolves once each has closed (its file descriptor released). */
  close(): Promise<void>;
}

/**
 * Opens the file as file → (decipher) → gunzip in one `pipeline`: an error in any stream
 * destroys them all and surfaces once, as the rejection of the line iterator or of
 * `completed`; no stream is left without an error listener, so stopping early (a refused line)
 * can never let a late gzip or GCM error escape as an unhandled 'error' event.
 */
async function openLines(
  path: string,
  passphrase: string | undefined,
  limits: RestoreLimits,
  stagingDir: string,
): Promise<BackupLines> {
  const kind = await detectKind(path);
  if (kind === 'unknown') throw invalid('This file is not a Flightdeck backup.');
  const body = kind === 'encrypted' ? await openEncrypted(path, passphrase) : null;
  const file = body ? createReadStream(path, { start: body.start, end: body.end }) : createReadStream(path);
  const gunzip = createGunzip();
  const streams: (Readable | Transform)[] = body ? [file, body.decipher(), gunzip] : [file, gunzip];
  const completed = pipeline(streams);
  // Awaited by the caller after the last line; until then a rejection must not count as unhandled.
  completed.catch(() => undefined);
  const closed = (stream: Readable | Transform) =>
    new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
  return {
    kind,
    lines: splitLines(metered(gunzip, limits, stagingDir), limits),
    completed,
    async close() {
      for (const stream of streams) stream.destroy();
      await Promise.all(streams.map(closed));
    },
  };
}

/**
 * The decompressed bytes, refused past `maxBytes` and whenever the staging disk's free space has
 * fallen below `minFreeBytes` (looked at first, then every FREE_CHECK_BYTES): a restore stops
 * before it fills the disk the store lives on.
 */
async function* metered(source: AsyncIterable<Buffer>, limits: RestoreLimits, stagingDir: string) {
  const checkFree = async () => {
    // A file system that cannot say what is free is not watched; the byte cap still holds.
    const info = await statfs(stagingDir).catch(() => null);
    if (!info) return;
    const free = info.bavail * info.bsize;
    if (free < limits.minFreeBytes)
      throw invalid(
        `Not enough free disk space to restore: the data folder's disk has ${describeSize(free)} free, and a restore, which stages the backup's rows there first, keeps at least ${describeSize(limits.minFreeBytes)} free. Free some space, then restore.`,
      );
  };
  await checkFree();
  let read = 0;
  let nextCheck = FREE_CHECK_BYTES;
  for await (const chunk of source) {
    read += chunk.length;
    if (read > limits.maxBytes)
      throw invalid(
        `This backup holds more than ${describeSize(limits.maxBytes)} once decompressed, the most a restore reads: it is refused so that it cannot fill the disk.`,
      );
    if (read >= nextCheck) {
      await checkFree();
      nextCheck = read + FREE_CHECK_BYTES;
    }
    yield chunk;
  }
}

/**
 * UTF-8 lines of a byte stream (the last one may lack its newline). Only each new chunk is
 * searched for a newline, and an unfinished line is kept as pieces joined once it ends: a long
 * line costs time in proportion to its length, not to its length squared.
 */
export async function* splitLines(
  source: AsyncIterable<Buffer>,
  limits: Pick<RestoreLimits, 'maxLineChars'>,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const tooLong = () => invalid(`This backup is damaged: a line is longer than ${describeSize(limits.maxLineChars)}.`);
  /** The start of the line being read, from earlier chunks; `held` characters in all. */
  let pieces: string[] = [];
  let held = 0;
  const finish = (tail: string) => {
    if (held + tail.length > limits.maxLineChars) throw tooLong();
    const line = pieces.length ? pieces.join('') + tail : tail;
    pieces = [];
    held = 0;
    return line;
  };
  for await (const chunk of source) {
    const text = decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield finish(text.slice(start, end));
      start = end + 1;
    }
    if (start < text.length) {
      pieces.push(start === 0 ? text : text.slice(start));
      held += text.length - start;
      if (held > limits.maxLineChars) throw tooLong();
    }
  }
  const last = finish(decoder.end());
  if (last.length > 0) yield last;
}

/** "128 MiB", "1.5 GiB", "300 bytes": a size limit in words. */
export function describeSize(bytes: number): string {
  const units: [number, string][] = [
    [1024 * MIB, 'GiB'],
    [MIB, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function parseLine(line: string, lineNumber: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the message below
  }
  throw invalid(`This backup is damaged: line ${lineNumber} is not valid JSON.`);
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(`${describeIssues(what, parsed.error)}.`);
  return parsed.data;
}

/** Attaches `file` and creates the staging tables with the store's own definitions (same constraints, same types). */
export function createStaging(db: Database.Database, file: string): void {
  db.prepare(`ATTACH DATABASE ? AS ${STAGING_SCHEMA}`).run(file);
  try {
    for (const { sql } of plainTables(db)) {
      db.exec(
        sql.replace(/^CREATE TABLE\s+("[^"]+"|\S+)/i, (_m, name: string) => `CREATE TABLE ${STAGING_SCHEMA}.${name}`),
      );
    }
    db.exec(`CREATE TABLE ${REMOTE_STAGING_TABLE} (instance_id TEXT NOT NULL, workflow_json TEXT NOT NULL) STRICT`);
  } catch (error) {
    db.prepare(`DETACH DATABASE ${STAGING_SCHEMA}`).run();
    throw error;
  }
}

/** Loads and verifies the whole file into the (already created) staging tables. */
export async function stageBackup(
  db: Database.Database,
  options: {
    path: string;
    passphrase?: string;
    schemaVersion: number;
    onProgress(done: number, phase: string): void;
    /** Tests lower these; the defaults are DEFAULT_RESTORE_LIMITS. */
    limits?: Partial<RestoreLimits>;
  },
): Promise<StagedBackup> {
  const limits = { ...DEFAULT_RESTORE_LIMITS, ...options.limits };
  const current = new Map(readTables(db).map((t) => [t.name, t]));
  const insertRemote = db.prepare(`INSERT INTO ${REMOTE_STAGING_TABLE} (instance_id, workflow_json) VALUES (?, ?)`);
  const sections: BackupSection[] = [];
  // Names seen so far: a hostile file may hold millions of section lines, so no scan per line.
  const sectionNames = new Set<string>();
  const tables: string[] = [];
  let section: (BackupSection & { insert?: (rows: unknown[][]) => void; table?: TableInfo; times?: number[] }) | null =
    null;
  let hash = createHash('sha256');
  let batch: unknown[][] = [];
  let header: z.infer<typeof headerSchema> | null = null;
  let manifest: BackupManifest | null = null;
  let lineNumber = 0;
  let rows = 0;

  const closeSection = () => {
    if (!section) return;
    if (batch.length) section.insert?.(batch);
    batch = [];
    const { insert: _i, table: _t, ...plain } = section;
    sections.push({ ...plain, sha256: hash.digest('hex') });
    section = null;
  };

  let source: BackupLines | undefined;
  try {
    // The staging database's folder (where its rows land): its disk's free space is watched.
    const stagingFile = db
      .prepare('SELECT file FROM pragma_database_list WHERE name = ?')
      .pluck()
      .get(STAGING_SCHEMA) as string | undefined;
    source = await openLines(options.path, options.passphrase, limits, dirname(stagingFile || options.path));
    const { lines, completed, kind } = source;
    for await (const line of lines) {
      lineNumber++;
      if (manifest) throw invalid('This backup has data after its manifest: it was altered.');
      const value = parseLine(line, lineNumber);
      if (lineNumber === 1) {
        header = check(headerSchema, value, 'the backup header');
        if (header.format !== FORMAT || header.formatVersion !== FORMAT_VERSION)
          throw invalid('Unknown backup format.');
        if (header.schemaVersion > options.schemaVersion) {
          throw invalid(
            `This backup was made by a newer Flightdeck (schema ${header.schemaVersion}; this one has ${options.schemaVersion}). Update Flightdeck, then restore.`,
          );
        }
        // Only a passphrase-encrypted (authenticated) file may carry secrets.
        if ((header.secrets === 'encrypted') !== (kind === 'encrypted'))
          throw invalid(
            'This backup says it holds secrets but is not encrypted (or the other way round): it was altered.',
          );
        continue;
      }
      if (value.t === 'row' || value.t === 'wf') {
        if (!section) throw invalid(`This backup is damaged: line ${lineNumber} belongs to no section.`);
        hash.update(line + '\n');
        section.count++;
        rows++;
        if (value.t === 'row' && section.kind === 'table') {
          const row = check(rowLineSchema, value, `row ${section.count} of ${section.name}`);
          if (row.v.length !== section.columns.length)
            throw invalid(`Row ${section.count} of ${section.name} has the wrong number of values.`);
          for (const at of section.times ?? []) {
            const cell = row.v[at];
            if (typeof cell === 'number' && !(Math.abs(cell) <= MAX_DATE_MS))
              throw invalid(
                `Row ${section.count} of ${section.name}: ${section.columns[at]} is not a possible time or duration (${cell}).`,
              );
          }
          batch.push(row.v.map((c) => (c !== null && typeof c === 'object' ? Buffer.from(c.$b64, 'base64') : c)));
          if (batch.length >= BATCH_ROWS) {
            section.insert?.(batch);
            batch = [];
            options.onProgress(rows, section.name);
          }
        } else if (value.t === 'wf' && section.kind === 'remote') {
          const { w } = check(workflowLineSchema, value, `workflow ${section.count} of ${section.name}`);
          insertRemote.run(section.name.slice('remote:'.length), JSON.stringify(w));
        } else throw invalid(`This backup is damaged: line ${lineNumber} does not fit section ${section.name}.`);
        continue;
      }
      closeSection();
      hash = createHash('sha256');
      if (value.t === 'section') {
        const s = check(sectionLineSchema, value, 'a section header');
        if (sectionNames.has(s.name)) throw invalid(`Section ${s.name} appears twice: it was altered.`);
        sectionNames.add(s.name);
        // Refused at once, not after reading on to the manifest (which could not list them anyway).
        if (sectionNames.size > MAX_BACKUP_SECTIONS)
          throw invalid(`This backup holds more than ${MAX_BACKUP_SECTIONS} sections: it was altered.`);
        section = { ...s, count: 0, sha256: '' };
        if (s.kind === 'table') {
          const table = current.get(s.name.replace(/^table:/, ''));
          if (!table) throw invalid(`This backup holds a table this Flightdeck does not know (${s.name}).`);
          checkSecrets(s, header?.secrets ?? 'dropped');
          section.table = table;
          section.insert = inserter(db, table, s.columns, current);
          // Times (and durations) are read back as dates all over the console: one no Date can hold
          // would make those reads throw long after the restore.
          section.times = s.columns.flatMap((c, i) => (c.endsWith('_ms') ? [i] : []));
          tables.push(table.name);
          // An older backup holds columns that now live in another table: that table is restored too.
          const moved = MOVED_COLUMNS[table.name];
          if (moved && s.columns.some((c) => moved.columns.includes(c)) && !tables.includes(moved.to))
            tables.push(moved.to);
        }
      } else if (value.t === 'manifest') {
        manifest = check(backupManifestSchema, value, 'the backup manifest');
      } else throw invalid(`This backup is damaged: line ${lineNumber} is of an unknown kind.`);
    }
    await completed;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalid(`This backup is damaged or truncated (${(error as Error).message}).`);
  } finally {
    // Before answering: once the caller hears "refused", nothing of this file is still being read.
    await source?.close();
  }
  if (!header || !manifest) throw invalid('This backup is truncated: its manifest is missing.');
  verifyManifest(header, manifest, sections);
  const remote = sections
    .filter((s) => s.kind === 'remote')
    .map((s) => ({ instanceId: s.name.slice('remote:'.length), workflows: s.count }));
  return { manifest, tables, remote };
}

/**
 * A backup without a passphrase carries no secret column and lists exactly the secret columns
 * it left out; an encrypted one leaves nothing out. Anything else was edited by hand.
 */
function checkSecrets(
  section: { name: string; columns: string[]; redacted: string[] },
  secrets: BackupManifest['secrets'],
) {
  const carried = section.columns.filter(isSecretColumn);
  const altered =
    secrets === 'encrypted'
      ? section.redacted.length > 0
      : carried.length > 0 || section.redacted.some((c) => !isSecretColumn(c) || section.columns.includes(c));
  if (altered)
    throw invalid(`The secret columns of section ${section.name} do not match the backup's kind: it was altered.`);
}

function verifyManifest(header: z.infer<typeof headerSchema>, manifest: BackupManifest, sections: BackupSection[]) {
  const { t: _h, ...headerFields } = header;
  const { t: _m, sections: listed, ...manifestFields } = manifest;
  if (JSON.stringify(headerFields) !== JSON.stringify(manifestFields))
    throw invalid('The backup header and manifest disagree: it was altered.');
  if (listed.length !== sections.length)
    throw invalid('The backup does not hold the sections its manifest lists: it is truncated or was altered.');
  listed.forEach((expected, i) => {
    const found = sections[i];
    if (!found || found.name !== expected.name || found.count !== expected.count) {
      throw invalid(`Section ${expected.name} does not hold the ${expected.count} entries its manifest lists.`);
    }
    if (found.sha256 !== expected.sha256)
      throw invalid(`The checksum of section ${expected.name} does not match: the backup was altered or is damaged.`);
  });
}

/**
 * Inserts rows into the staging copy of `table`; columns the backup lacks get placeholders.
 * Columns that moved to another table since the backup was made (MOVED_COLUMNS) go there.
 */
function inserter(
  db: Database.Database,
  table: TableInfo,
  allColumns: string[],
  current: Map<string, TableInfo>,
): (rows: unknown[][]) => void {
  const moved = MOVED_COLUMNS[table.name];
  const movedHere = moved ? allColumns.filter((c) => moved.columns.includes(c)) : [];
  const columns = allColumns.filter((c) => !movedHere.includes(c));
  const keyAt = moved ? allColumns.indexOf(moved.key) : -1;
  if (moved && movedHere.length && (keyAt < 0 || !current.has(moved.to)))
    throw invalid(
      `Table ${table.name} in this backup has columns this Flightdeck keeps elsewhere, but not its ${moved.key}.`,
    );
  const kept = allColumns.flatMap((c, i) => (movedHere.includes(c) ? [] : [i]));
  const movedAt = movedHere.map((c) => allColumns.indexOf(c));
  const movedInsert =
    moved && movedHere.length
      ? db.prepare(
          `INSERT INTO ${STAGING_SCHEMA}.${quote(moved.to)} (${[moved.key, ...movedHere].map(quote).join(', ')}) VALUES (${[moved.key, ...movedHere].map(() => '?').join(', ')})`,
        )
      : null;
  const known = new Set(table.columns.map((c) => c.name));
  const unknown = columns.find((c) => !known.has(c));
  if (unknown)
    throw invalid(`Table ${table.name} in this backup has a column this Flightdeck does not know (${unknown}).`);
  const missing = table.columns.filter((c) => !columns.includes(c.name) && c.notNull && !c.hasDefault && c.pk === 0);
  const names = [...columns, ...missing.map((c) => c.name)];
  const fill = missing.map((c) => placeholderFor(c.type));
  const stmt = db.prepare(
    `INSERT INTO ${STAGING_SCHEMA}.${quote(table.name)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
  );
  const many = db.transaction((rows: unknown[][]) => {
    for (const row of rows) {
      if (!movedInsert) {
        stmt.run([...row, ...fill]);
        continue;
      }
      stmt.run([...kept.map((i) => row[i]), ...fill]);
      // Only rows that had something there: a run without payload or request has no body.
      const values = movedAt.map((i) => row[i] ?? null);
      if (values.some((v) => v !== null)) movedInsert.run([row[keyAt], ...values]);
    }
  });
  return (rows) => {
    try {
      many(rows);
    } catch (error) {
      throw invalid(`Rows of table ${table.name} in this backup do not fit it (${(error as Error).message}).`);
    }
  };
}
