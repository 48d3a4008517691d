import { chmodSync, chownSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from './create-core';
import { LOCK_FILE, OWNER_FILE } from './data-dir';
import { makeDataDirPrivate } from './data-dir-modes';
import { STORE_FILE } from './db/store';
import type { Logger } from './logger';
import { tempDir } from './testing/test-core';

const posix = process.platform !== 'win32';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function folder(): string {
  const dir = tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: unknown }[] } {
  const lines: { level: string; message: string; fields?: unknown }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe.runIf(posix)('a private data folder', () => {
  it('is created private: folder 0700; store, -wal, -shm, lock, owner record and key files 0600', async () => {
    const dataDir = join(folder(), 'nested', 'data');
    const logger = recordingLogger();
    const core = createCore({ dataDir, ingestPort: 0, metrics: { pollMs: 0 }, logger });
    cleanups.push(() => core.close());
    const added = await core.call('instances:add', {
      name: 'dev',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'seed-key-123456',
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    });
    expect(added.ok).toBe(true);
    await core.call('ingest:info', {});

    expect(modeOf(dataDir)).toBe('700');
    for (const name of [STORE_FILE, `${STORE_FILE}-wal`, `${STORE_FILE}-shm`, LOCK_FILE, OWNER_FILE])
      expect([name, modeOf(join(dataDir, name))]).toEqual([name, '600']);
    expect(modeOf(join(dataDir, 'keys'))).toBe('700');
    expect(modeOf(join(dataDir, 'keys', 'master.key'))).toBe('600');
    expect(modeOf(join(dataDir, 'keys', 'ingest.secret'))).toBe('600');
    // Nothing needed fixing, so nothing was said.
    expect(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('makes what this user owns private at start, and says which files it changed', async () => {
    const dataDir = folder();
    await createCore({ dataDir, metrics: { pollMs: 0 } }).close();
    mkdirSync(join(dataDir, 'keys'), { mode: 0o755 });
    mkdirSync(join(dataDir, 'backups'), { mode: 0o755 });
    const loose = [
      join(dataDir, STORE_FILE),
      join(dataDir, `${STORE_FILE}-wal`),
      join(dataDir, 'keys', 'master.key'),
      join(dataDir, 'backups', 'flightdeck-backup-1.fdbk'),
    ];
    for (const file of loose) writeFileSync(file, '', { flag: 'a' });
    for (const file of loose) chmodSync(file, 0o644);
    for (const dir of [dataDir, join(dataDir, 'keys'), join(dataDir, 'backups')]) chmodSync(dir, 0o755);

    const logger = recordingLogger();
    const core = createCore({ dataDir, metrics: { pollMs: 0 }, logger });
    cleanups.push(() => core.close());

    expect(core.status().state).toBe('ready');
    expect(modeOf(dataDir)).toBe('700');
    expect(modeOf(join(dataDir, 'keys'))).toBe('700');
    expect(modeOf(join(dataDir, 'backups'))).toBe('700');
    for (const file of loose) expect([file, modeOf(file)]).toEqual([file, '600']);
    // The -wal SQLite reopened after the fix, and the -shm it created, follow the store's mode.
    expect(modeOf(join(dataDir, `${STORE_FILE}-shm`))).toBe('600');
    const warning = logger.lines.find((l) => l.level === 'warn');
    expect(warning?.message).toMatch(
      /Other users could read 7 file\(s\) in the data folder; Flightdeck made them private/,
    );
    expect(warning?.fields).toEqual({
      fixed: expect.arrayContaining([`${dataDir} (was 755)`, `${join(dataDir, 'keys', 'master.key')} (was 644)`]),
    });
  });

  it('refuses with the chmod command what belongs to someone else', () => {
    const dataDir = folder();
    const store = join(dataDir, STORE_FILE);
    writeFileSync(store, '');
    chmodSync(store, 0o644);
    chmodSync(dataDir, 0o750);
    const someoneElse = (process.getuid?.() ?? 0) + 1;

    const report = makeDataDirPrivate(dataDir, { uid: someoneElse });
    expect(report.fixed).toEqual([]);
    expect(report.refused).toEqual([
      { path: dataDir, mode: '750', command: `chmod 700 ${dataDir}` },
      { path: store, mode: '644', command: `chmod 600 ${store}` },
    ]);
    // Reported, not touched.
    expect(modeOf(store)).toBe('644');
  });

  it.runIf(process.getuid?.() === 0)(
    'starts failed, naming the file and the command, when a file is not this user’s to fix',
    async () => {
      const dataDir = folder();
      await createCore({ dataDir, metrics: { pollMs: 0 } }).close();
      const key = join(dataDir, 'keys', 'master.key');
      mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
      writeFileSync(key, 'k', { mode: 0o644 });
      chownSync(key, 65534, 65534);

      const core = createCore({ dataDir, metrics: { pollMs: 0 } });
      cleanups.push(() => core.close());
      expect(core.status()).toMatchObject({ state: 'failed', startupError: { code: 'DATA_DIR_NOT_PRIVATE' } });
      expect(core.status().startupError?.message).toBe(
        `Other users can read ${key} (mode 644), and this user cannot change that. ` +
          `As the owner of those files, run: chmod 600 ${key} — then start Flightdeck again, or choose another data folder.`,
      );
      expect(await core.call('settings:get', {})).toMatchObject({ ok: false, error: { code: 'STARTUP_FAILED' } });
    },
  );

  it('quotes paths for the shell in the command it gives', () => {
    const dataDir = join(folder(), "it's mine");
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const report = makeDataDirPrivate(dataDir, { uid: (process.getuid?.() ?? 0) + 1 });
    expect(report.refused[0]?.command).toBe(`chmod 700 '${dataDir.replace("'", `'\\''`)}'`);
  });

  it('refuses a shared folder like /tmp (sticky) instead of making it 0700, and changes nothing', async () => {
    const dataDir = folder();
    chmodSync(dataDir, 0o1777);
    const core = createCore({ dataDir, metrics: { pollMs: 0 } });
    cleanups.push(() => core.close());
    expect(core.status()).toMatchObject({ state: 'failed', startupError: { code: 'DATA_DIR_NOT_PRIVATE' } });
    expect(core.status().startupError?.message).toBe(
      `The data folder ${dataDir} is shared by every user (mode 1777). ` +
        'Choose a folder of your own with --data-dir (or FLIGHTDECK_DATA_DIR), for example inside your home folder.',
    );
    expect((statSync(dataDir).mode & 0o7777).toString(8)).toBe('1777');
  });

  it('makes the target of a data folder that is a symlink private', () => {
    const target = folder();
    chmodSync(target, 0o755);
    const link = join(folder(), 'data');
    symlinkSync(target, link);
    expect(makeDataDirPrivate(link).fixed).toEqual([{ path: link, was: '755' }]);
    expect(modeOf(target)).toBe('700');
  });

  it('leaves a symlink and what it points to alone', () => {
    const dataDir = folder();
    const outside = join(folder(), 'shared.txt');
    writeFileSync(outside, 'x');
    chmodSync(outside, 0o644);
    mkdirSync(join(dataDir, 'backups'), { mode: 0o700 });
    symlinkSync(outside, join(dataDir, 'backups', 'link.fdbk'));

    expect(makeDataDirPrivate(dataDir)).toEqual({ fixed: [], refused: [] });
    expect(modeOf(outside)).toBe('644');
  });

  it('checks nothing on Windows, where the profile folder’s ACL keeps other users out', () => {
    const dataDir = folder();
    chmodSync(dataDir, 0o777);
    expect(makeDataDirPrivate(dataDir, { platform: 'win32' })).toEqual({ fixed: [], refused: [] });
    expect(modeOf(dataDir)).toBe('777');
  });
});
