import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock';
import { testCore, tempDir } from '../testing/test-core';
import { ingestInfoFile, processAlive, readIngestInfo, removeIngestInfo, writeIngestInfo } from './ingest-info';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function dir(): string {
  const d = tempDir();
  cleanups.push(d.remove);
  return d.path;
}

/** The pid of a process that has exited (a console that crashed). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('ingest.json', () => {
  it('is written owner-only, read back, and removed only by the process that wrote it', () => {
    const d = dir();
    const info = { url: 'http://127.0.0.1:4681', pid: process.pid, startedAtMs: 1_767_225_600_000 };
    writeIngestInfo(d, info);
    if (process.platform !== 'win32') expect(statSync(ingestInfoFile(d)).mode & 0o777).toBe(0o600);
    expect(readIngestInfo(d)).toEqual({ ok: true, info });
    removeIngestInfo(d, process.pid + 1);
    expect(existsSync(ingestInfoFile(d))).toBe(true);
    removeIngestInfo(d, process.pid);
    expect(readIngestInfo(d)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('rewrites a file left world-readable by an older build as owner-only', () => {
    const d = dir();
    writeFileSync(ingestInfoFile(d), '{"url":"http://127.0.0.1:1"}\n', { mode: 0o644 });
    expect(readIngestInfo(d)).toMatchObject({ ok: false, reason: 'unreadable' });
    writeIngestInfo(d, { url: 'http://127.0.0.1:2', pid: process.pid, startedAtMs: 1 });
    if (process.platform !== 'win32') expect(statSync(ingestInfoFile(d)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{'],
    ['no pid', '{"url":"http://127.0.0.1:1","startedAtMs":1}'],
    ['a URL with a path', '{"url":"http://127.0.0.1:1/evil","pid":1,"startedAtMs":1}'],
    ['an https URL', '{"url":"https://127.0.0.1:1","pid":1,"startedAtMs":1}'],
  ])('does not trust a file with %s', (_name, text) => {
    const d = dir();
    writeFileSync(ingestInfoFile(d), text);
    expect(readIngestInfo(d)).toMatchObject({ ok: false, reason: 'unreadable' });
  });

  it('tells a live process from one that has exited', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
  });

  it('is written by the running console with its pid and removed when it stops cleanly', async () => {
    const t = testCore({ ingestPort: 0, clock: systemClock });
    cleanups.push(() => t.cleanup());
    const info = await t.core.call('ingest:info', {});
    expect(info.ok && info.data.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const written = readIngestInfo(t.dataDir);
    expect(written).toEqual({
      ok: true,
      info: { url: info.ok ? info.data.url : '', pid: process.pid, startedAtMs: expect.any(Number) },
    });
    expect(JSON.parse(readFileSync(ingestInfoFile(t.dataDir), 'utf8'))).toHaveProperty('pid', process.pid);
    await t.core.close();
    expect(existsSync(ingestInfoFile(t.dataDir))).toBe(false);
  });
});
