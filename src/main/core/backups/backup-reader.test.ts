/**
 * Hostile backup files, written by hand (a real gzip file, real checksums where the file should
 * look valid): each is refused with a clear message, changes nothing and leaves no staging file,
 * and the work done before refusing is bounded.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BACKUP_SECTIONS } from '../../../shared/contract/backups';
import { AppError } from '../../../shared/result';
import { FakeN8n } from '../testing/fake-n8n-port';
import { testContext } from '../testing/test-core';
import { DEFAULT_RESTORE_LIMITS, splitLines, type RestoreLimits } from './backup-reader';
import { createBackupsModule } from './backups-module';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function station(restoreLimits?: Partial<RestoreLimits>) {
  const t = testContext();
  cleanups.push(t.cleanup);
  const backups = createBackupsModule(t.ctx, t.audit, {
    port: new FakeN8n().addInstance('dev'),
    appVersion: '1.2.3',
    ...(restoreLimits ? { restoreLimits } : {}),
  });
  cleanups.push(() => backups.stop?.());
  const db = t.ctx.store.db;
  db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"', 1)").run();
  return { ...t, backups, db, service: backups.service };
}

interface SectionSpec {
  name: string;
  kind?: 'table' | 'remote';
  columns?: string[];
  rows?: unknown[][];
}

/** The JSON lines of a well-formed backup (header, sections with their rows, manifest). */
function backupLines(
  schemaVersion: number,
  sections: SectionSpec[],
  options: { createdAtMs?: number; manifest?: boolean } = {},
): string[] {
  const fields = {
    format: 'flightdeck-backup',
    formatVersion: 1,
    appVersion: '1.2.3',
    schemaVersion,
    createdAtMs: options.createdAtMs ?? Date.UTC(2026, 0, 1),
    secrets: 'dropped',
    includesExecutions: false,
  };
  const lines = [JSON.stringify({ t: 'header', ...fields })];
  const listed = sections.map(({ name, kind = 'table', columns = [], rows = [] }) => {
    const section = { name, kind, columns, redacted: [], error: null };
    lines.push(JSON.stringify({ t: 'section', ...section, count: rows.length, sha256: '' }));
    const hash = createHash('sha256');
    for (const v of rows) {
      const line = JSON.stringify({ t: 'row', v });
      hash.update(line + '\n');
      lines.push(line);
    }
    return { ...section, count: rows.length, sha256: hash.digest('hex') };
  });
  if (options.manifest !== false) lines.push(JSON.stringify({ t: 'manifest', ...fields, sections: listed }));
  return lines;
}

let named = 0;
/** Writes `bytes` where the service reads backups from, under a name it accepts. */
function place(s: ReturnType<typeof station>, bytes: Buffer): string {
  mkdirSync(s.service.folder, { recursive: true });
  const suffix = (named++).toString(36).padStart(6, '0');
  const path = join(s.service.folder, `flightdeck-backup-2026-01-01T00-00-00Z-${suffix}.fdbk`);
  writeFileSync(path, bytes);
  return path;
}

const gzipLines = (lines: string[]) => gzipSync(Buffer.from(lines.join('\n') + '\n'), { level: 1 });

/** Inspects `bytes` and expects a refusal (VALIDATION) that changed nothing and left no staging file. */
async function refused(s: ReturnType<typeof station>, bytes: Buffer): Promise<string> {
  const before = s.db.prepare('SELECT * FROM settings ORDER BY key').all();
  let error: unknown;
  try {
    await s.service.inspect({ kind: 'file', path: place(s, bytes) }, undefined);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('VALIDATION');
  expect((error as AppError).message).toContain('Nothing was changed.');
  expect(s.db.prepare('SELECT * FROM settings ORDER BY key').all()).toEqual(before);
  expect(s.db.prepare("SELECT name FROM pragma_database_list WHERE name NOT IN ('main', 'temp')").all()).toEqual([]);
  const incoming = join(s.service.folder, 'incoming');
  expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
  return (error as AppError).message;
}

describe('backup reader: hostile files', () => {
  it('a hand-written well-formed backup is accepted (the builder below makes valid files)', async () => {
    const s = station();
    const lines = backupLines(s.ctx.store.schemaVersion, [
      { name: 'table:settings', columns: ['key', 'value_json', 'updated_at_ms'], rows: [['theme', '"light"', 2]] },
      { name: 'remote:dev', kind: 'remote' },
    ]);
    const plan = await s.service.inspect({ kind: 'file', path: place(s, gzipLines(lines)) }, undefined);
    expect(plan.tables.find((t) => t.table === 'settings')).toMatchObject({ change: 1 });
    await s.service.restore(plan.restoreId);
    expect(s.db.prepare("SELECT value_json FROM settings WHERE key = 'theme'").pluck().get()).toBe('"light"');
  });

  it('refuses more sections than a manifest may list as soon as it meets them, not at the end', async () => {
    const s = station();
    const many = Array.from({ length: MAX_BACKUP_SECTIONS + 1 }, (_, i): SectionSpec => ({
      name: `remote:i${i}`,
      kind: 'remote',
    }));
    // Past the limit the file breaks: a reader that read on would report that line instead.
    const lines = [...backupLines(s.ctx.store.schemaVersion, many, { manifest: false }), 'not json at all'];
    expect(await refused(s, gzipLines(lines))).toContain(`more than ${MAX_BACKUP_SECTIONS} sections`);
  });

  it('still refuses a section that appears twice', async () => {
    const s = station();
    const lines = backupLines(s.ctx.store.schemaVersion, [
      { name: 'remote:a', kind: 'remote' },
      { name: 'remote:b', kind: 'remote' },
      { name: 'remote:a', kind: 'remote' },
    ]);
    expect(await refused(s, gzipLines(lines))).toContain('Section remote:a appears twice');
  });
});

/** The lines `splitLines` reads from `text` cut into chunks of `size` bytes. */
async function linesOf(text: string, size: number, maxLineChars = DEFAULT_RESTORE_LIMITS.maxLineChars) {
  const bytes = Buffer.from(text);
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const out: string[] = [];
  for await (const line of splitLines(chunks(), { maxLineChars })) out.push(line);
  return out;
}

describe('backup reader: lines', () => {
  it('reads the same lines whatever the chunk boundaries (multi-byte characters split across chunks)', async () => {
    const text = ['{"a":"ünïcødé ✓ 🚀"}', '', 'x'.repeat(5_000), '{"b":[1,2,3]}', '✓'.repeat(3_000), 'last'].join('\n');
    const expected = text.split('\n');
    for (const size of [1, 2, 3, 7, 64, 1_000, 4_096, 1 << 20]) {
      expect(await linesOf(text, size)).toEqual(expected);
      expect(await linesOf(text + '\n', size)).toEqual(expected);
    }
    expect(await linesOf('', 16)).toEqual([]);
    expect(await linesOf('\n\n', 1)).toEqual(['', '']);
  });

  it('refuses a line longer than the cap, whether it ends or not, and accepts one exactly at the cap', async () => {
    const cap = 10_000;
    await expect(linesOf('a'.repeat(cap), 333, cap)).resolves.toEqual(['a'.repeat(cap)]);
    await expect(linesOf('a'.repeat(cap) + '\nb', 333, cap)).resolves.toEqual(['a'.repeat(cap), 'b']);
    for (const text of ['a'.repeat(cap + 1), 'ok\n' + 'a'.repeat(cap + 1) + '\nok', 'a'.repeat(cap * 3)]) {
      for (const size of [1, 333, 1 << 16]) {
        await expect(linesOf(text, size, cap)).rejects.toThrow('a line is longer than 9.8 KiB');
      }
    }
  });

  it('refuses a multi-MB single line through the service under a lowered cap', async () => {
    const s = station({ maxLineChars: 1024 * 1024 });
    const header = backupLines(s.ctx.store.schemaVersion, [])[0] ?? '';
    const bytes = gzipLines([header, JSON.stringify({ t: 'row', v: ['a'.repeat(6 * 1024 * 1024)] })]);
    expect(await refused(s, bytes)).toContain('a line is longer than 1 MiB');
  });

  it('refuses a gzip bomb of one line past the default cap (128 MiB of "a" from a file of a few KB)', async () => {
    const s = station();
    // Concatenated gzip members are one stream to gunzip: 129 copies of 1 MiB of "a".
    const member = gzipSync(Buffer.alloc(1024 * 1024, 'a'), { level: 9 });
    const bytes = Buffer.concat(Array.from({ length: 129 }, () => member));
    expect(bytes.length).toBeLessThan(200_000);
    expect(await refused(s, bytes)).toContain('a line is longer than 128 MiB');
  });
});

describe('backup reader: size', () => {
  /** A valid-looking backup of `rows` settings rows of about 1 KB each, then a broken line at the very end. */
  const bigThenBroken = (schemaVersion: number, rows: number) => [
    ...backupLines(
      schemaVersion,
      [
        {
          name: 'table:settings',
          columns: ['key', 'value_json', 'updated_at_ms'],
          rows: Array.from({ length: rows }, (_, i) => [`k${i}`, JSON.stringify('v'.repeat(1_000)), i]),
        },
      ],
      { manifest: false },
    ),
    'not json at all',
  ];

  it('refuses a backup past the decompressed-size cap while reading, before the rest of the file', async () => {
    const s = station({ maxBytes: 256 * 1024 });
    const bytes = gzipLines(bigThenBroken(s.ctx.store.schemaVersion, 5_000));
    // ~5 MB of rows from a few KB: only the cap, not the broken last line, can be the reason.
    expect(bytes.length).toBeLessThan(100_000);
    expect(await refused(s, bytes)).toContain('more than 256 KiB once decompressed');
  });

  it('refuses before reading anything when the disk would keep less free space than the floor', async () => {
    const s = station({ minFreeBytes: Number.MAX_SAFE_INTEGER });
    // Not even the first line is read: it is not JSON, yet the refusal is about the disk.
    const message = await refused(s, gzipLines(['not json at all']));
    expect(message).toMatch(/^Not enough free disk space to restore: the data folder's disk has [\d.]+ [KMG]iB free/);
    expect(message).toContain('keeps at least 8388608 GiB free');
  });
});

describe('backup reader: dates', () => {
  it('refuses a creation time no date can hold at inspect, with a clear message (not INTERNAL at restore)', async () => {
    for (const [createdAtMs, why] of [
      [9e15, 'after the year 275760'],
      [-1, 'before 1970'],
    ] as const) {
      const s = station();
      const lines = backupLines(s.ctx.store.schemaVersion, [{ name: 'remote:dev', kind: 'remote' }], { createdAtMs });
      expect(await refused(s, gzipLines(lines))).toContain(
        `the backup header: createdAtMs: not a possible time (${why})`,
      );
    }
  });

  it('accepts the latest instant a date holds, and the restore labels its snapshot with it', async () => {
    const s = station();
    const createdAtMs = 8.64e15;
    const workflow = {
      id: 'w1',
      name: 'Orders',
      active: false,
      versionId: null,
      updatedAtMs: 1,
      nodes: [],
      connections: {},
      settings: {},
      tags: [],
    };
    const lines = backupLines(s.ctx.store.schemaVersion, [], { createdAtMs, manifest: false });
    const hash = createHash('sha256');
    const wf = JSON.stringify({ t: 'wf', w: workflow });
    hash.update(wf + '\n');
    const section = { name: 'remote:dev', kind: 'remote', columns: [], redacted: [], error: null };
    const manifest = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    lines.push(JSON.stringify({ t: 'section', ...section, count: 1, sha256: '' }), wf);
    lines.push(
      JSON.stringify({
        ...manifest,
        t: 'manifest',
        sections: [{ ...section, count: 1, sha256: hash.digest('hex') }],
      }),
    );
    const plan = await s.service.inspect({ kind: 'file', path: place(s, gzipLines(lines)) }, undefined);
    await s.service.restore(plan.restoreId);
    expect(s.db.prepare('SELECT label FROM n8n_snapshots').pluck().all()).toEqual([
      `From the backup of ${new Date(createdAtMs).toISOString()}`,
    ]);
  });
});

describe('backup reader: times in rows', () => {
  it('refuses a row whose time no date can hold, and keeps the extreme ones that can', async () => {
    const s = station();
    const settings = (updatedAtMs: number) =>
      backupLines(s.ctx.store.schemaVersion, [
        {
          name: 'table:settings',
          columns: ['key', 'value_json', 'updated_at_ms'],
          rows: [['theme', '"x"', updatedAtMs]],
        },
      ]);
    for (const bad of [9e15, -9e15]) {
      expect(await refused(s, gzipLines(settings(bad)))).toContain(
        `Row 1 of table:settings: updated_at_ms is not a possible time or duration (${bad})`,
      );
    }
    const plan = await s.service.inspect({ kind: 'file', path: place(s, gzipLines(settings(8.64e15))) }, undefined);
    expect(plan.tables.find((t) => t.table === 'settings')).toMatchObject({ change: 1 });
  });
});

describe('backup reader: encrypted header', () => {
  it('refuses scrypt costs beyond what a backup is written with before deriving any key', async () => {
    const s = station();
    const header = (N: number, r: number, p: number) =>
      Buffer.from(JSON.stringify({ kdf: 'scrypt', N, r, p, salt: 'c2FsdA==', iv: 'aXZpdml2aXZpdg==', keyCheck: 'x' }));
    const file = (h: Buffer) => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(h.length);
      return Buffer.concat([Buffer.from('FDBKENC1'), length, h, Buffer.alloc(64, 1)]);
    };
    // Each parameter within its own bound, together 64× the writer's work (seconds of scrypt).
    const inspect = (h: Buffer) => s.service.inspect({ kind: 'file', path: place(s, file(h)) }, 'any passphrase');
    await expect(inspect(header(2 ** 17, 8, 16))).rejects.toThrow('its header cannot be read');
    // What the writer uses still derives (and then finds the passphrase wrong, as it is).
    await expect(inspect(header(2 ** 15, 8, 1))).rejects.toThrow('Wrong passphrase');
  });
});
