import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from './create-core';
import { claimDataDir, DataDirBusyError, OWNER_FILE, readOwner, type OwnerRecord } from './data-dir';
import { migrations } from './db/migrations';
import { bundleChild } from './testing/crash-child';
import { tempDir } from './testing/test-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function folder(): string {
  const dir = tempDir();
  cleanups.push(dir.remove);
  return dir.path;
}
function busy(fn: () => unknown): DataDirBusyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DataDirBusyError) return error;
    throw error;
  }
  throw new Error('expected DataDirBusyError');
}

describe('one owner per data folder, in one process', () => {
  it('refuses a second claim from the same process and names the owner', () => {
    const dataDir = folder();
    const first = claimDataDir({ dataDir, kind: 'headless' });
    cleanups.push(() => first.release());

    const error = busy(() => claimDataDir({ dataDir, kind: 'desktop' }));
    expect(error.owner).toMatchObject({ pid: process.pid, kind: 'headless', url: null });
    expect(error.message).toBe(
      `Flightdeck is already running on this data folder (pid ${process.pid}, headless, still starting). Open that, or pass --data-dir.`,
    );
  });

  it('names the running console by pid and URL once its host has published it', () => {
    const dataDir = folder();
    const first = claimDataDir({ dataDir, kind: 'headless' });
    cleanups.push(() => first.release());
    first.publish({ url: 'http://127.0.0.1:4680/', token: 'x'.repeat(64) });

    const error = busy(() => claimDataDir({ dataDir, kind: 'headless' }));
    expect(error.message).toBe(
      `Flightdeck is already running on this data folder (pid ${process.pid}, http://127.0.0.1:4680/). Open that, or pass --data-dir.`,
    );
    expect(error.message).not.toContain('x'.repeat(32));
    expect(error.owner?.token).toBe('x'.repeat(64));
  });

  it('lets go on release: the owner record is removed and the next claim succeeds', () => {
    const dataDir = folder();
    const first = claimDataDir({ dataDir, kind: 'desktop' });
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(true);
    first.release();
    first.release();
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(false);

    const second = claimDataDir({ dataDir, kind: 'headless' });
    expect(readOwner(dataDir)).toMatchObject({ pid: process.pid, kind: 'headless' });
    second.release();
  });

  it('refuses a second core on a folder in use, and the first keeps working', async () => {
    const dataDir = folder();
    const first = createCore({ dataDir, metrics: { pollMs: 0 } });
    cleanups.push(() => first.close());

    const error = busy(() => createCore({ dataDir, shell: 'desktop', metrics: { pollMs: 0 } }));
    expect(error.owner).toMatchObject({ pid: process.pid, kind: 'headless' });
    expect(await first.call('settings:update', { patch: { retentionDays: 3 } })).toMatchObject({ ok: true });
  });

  it('opens and closes cores on one folder one after another', async () => {
    const dataDir = folder();
    for (let days = 1; days <= 5; days++) {
      const core = createCore({ dataDir, metrics: { pollMs: 0 } });
      expect(core.status().state).toBe('ready');
      expect(await core.call('settings:update', { patch: { retentionDays: days } })).toMatchObject({ ok: true });
      await core.close();
    }
    const last = createCore({ dataDir, metrics: { pollMs: 0 } });
    cleanups.push(() => last.close());
    expect(await last.call('settings:get', {})).toMatchObject({ ok: true, data: { retentionDays: 5 } });
  });

  it('keeps the folder while a core runs in a failed state, and lets go on close', async () => {
    const dataDir = folder();
    const future = {
      version: Math.max(...migrations.map((m) => m.version)) + 1,
      name: 'future',
      sql: 'CREATE TABLE future (id INTEGER) STRICT;',
    };
    await createCore({ dataDir, migrations: [...migrations, future] }).close();

    const failed = createCore({ dataDir });
    expect(failed.status()).toMatchObject({ state: 'failed', startupError: { code: 'NEWER_SCHEMA' } });
    busy(() => createCore({ dataDir }));
    await failed.close();
    const after = claimDataDir({ dataDir, kind: 'headless' });
    after.release();
  });

  it('starts failed, with the reason, on a data folder that is not a folder', async () => {
    const parent = folder();
    const notAFolder = join(parent, 'file');
    writeFileSync(notAFolder, 'x');
    const core = createCore({ dataDir: notAFolder });
    cleanups.push(() => core.close());
    expect(core.status()).toMatchObject({ state: 'failed', startupError: { code: 'DATA_DIR_UNUSABLE' } });
    expect(core.status().startupError?.message).toContain(notAFolder);
    expect(await core.call('settings:get', {})).toMatchObject({ ok: false, error: { code: 'STARTUP_FAILED' } });
  });

  it('does not quote an owner record left by a process that is gone', () => {
    const dataDir = folder();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const record: OwnerRecord = {
      pid: Number(gone.stdout.toString()),
      kind: 'headless',
      url: 'http://127.0.0.1:1/',
      token: null,
      startedAtMs: 1,
      hostname: hostname(),
    };
    writeFileSync(join(dataDir, OWNER_FILE), JSON.stringify(record));
    expect(readOwner(dataDir)).toBeNull();
    writeFileSync(join(dataDir, OWNER_FILE), JSON.stringify({ ...record, pid: process.pid }));
    expect(readOwner(dataDir)).toMatchObject({ pid: process.pid });
    writeFileSync(join(dataDir, OWNER_FILE), '{"pid":');
    expect(readOwner(dataDir)).toBeNull();
  });
});

// Across processes: a child owns the folder, is SIGKILLed (no clean-up of any kind runs), and a
// new process takes the folder at once: the kernel dropped the lock with the process.
describe('one owner per data folder, across processes', () => {
  const work = tempDir('flightdeck-owner-');
  let childScript = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    childScript = await bundleChild(resolve(__dirname, 'testing', 'data-dir.child.ts'), join(work.path, 'bundle'));
  }, 60_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    work.remove();
  });

  /** Starts the child; resolves with what it printed once it is ready, or how it ended. */
  function start(
    dataDir: string,
  ): Promise<{ child: ChildProcess; ready: boolean; stdout: string; stderr: string; code: number | null }> {
    const child = spawn(process.execPath, [childScript, dataDir, 'http://127.0.0.1:4680/', 't'.repeat(64)], {
      env: { ...process.env, NODE_PATH: resolve(__dirname, '../../../node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolveStart) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolveStart({ child, ready: true, stdout, stderr, code: null });
      });
      child.once('exit', (code) => resolveStart({ child, ready: false, stdout, stderr, code }));
    });
  }
  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => child.once('exit', () => r()));

  it('refuses a second process by name, and a SIGKILLed owner leaves no stale lock', async () => {
    const dataDir = join(work.path, 'data');
    const first = await start(dataDir);
    expect(first.stdout).toBe(`ready ${first.child.pid} ready\n`);

    const second = await start(dataDir);
    expect(second).toMatchObject({ ready: false, code: 3 });
    expect(second.stderr.trim()).toBe(
      `Flightdeck is already running on this data folder (pid ${first.child.pid}, http://127.0.0.1:4680/). Open that, or pass --data-dir.`,
    );
    const here = busy(() => claimDataDir({ dataDir, kind: 'desktop' }));
    expect(here.owner).toMatchObject({ pid: first.child.pid, url: 'http://127.0.0.1:4680/' });

    first.child.kill('SIGKILL');
    await exited(first.child);
    // Its record is still on disk (nothing ran at exit), and nothing stands in the way.
    expect(JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8'))).toMatchObject({ pid: first.child.pid });
    const restarted = await start(dataDir);
    expect(restarted.stdout).toBe(`ready ${restarted.child.pid} ready\n`);
    expect(readOwner(dataDir)).toMatchObject({ pid: restarted.child.pid });

    restarted.child.kill('SIGTERM');
    await exited(restarted.child);
    expect([restarted.child.exitCode, restarted.child.signalCode, restarted.stderr]).toEqual([0, null, '']);
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(false);
    claimDataDir({ dataDir, kind: 'headless' }).release();
  }, 60_000);
});
