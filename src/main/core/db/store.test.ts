import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events';
import { tempDir } from '../testing/test-core';
import { migrations } from './migrations';
import { openStore } from './store';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function store() {
  const dir = tempDir();
  const bus = new EventBus();
  const s = openStore({ dataDir: dir.path, bus, migrations, now: () => 1 });
  cleanups.push(dir.remove, () => s.close());
  const seen: string[] = [];
  bus.subscribe((event) => seen.push(event));
  const setting = (v: string) =>
    s.db.prepare("INSERT OR REPLACE INTO settings VALUES ('k', ?, 1)").run(JSON.stringify(v));
  return { s, seen, setting };
}

const payload = { theme: 'dark', retentionDays: 1, operatorName: 'x', dataDir: '/' } as const;

describe('store.write', () => {
  it('announces after commit, and not at all after a rollback', () => {
    const { s, seen, setting } = store();
    s.write((announce) => {
      setting('a');
      announce('settings:changed', payload);
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['settings:changed']);
    expect(() =>
      s.write((announce) => {
        announce('settings:changed', payload);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual(['settings:changed']);
  });

  it('holds the events of a nested write until the outer one commits', () => {
    const { s, seen, setting } = store();
    expect(() =>
      s.write(() => {
        s.write((announce) => {
          setting('nested');
          announce('settings:changed', payload);
        });
        expect(seen).toEqual([]);
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(seen).toEqual([]);
    expect(s.db.prepare("SELECT count(*) AS n FROM settings WHERE key = 'k'").get()).toEqual({ n: 0 });
  });
});

describe.runIf(process.platform !== 'win32')('store file modes', () => {
  it('creates the store 0600 in a 0700 folder, and SQLite gives its -wal and -shm the same mode', () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const dataDir = join(dir.path, 'fresh');
    const s = openStore({ dataDir, bus: new EventBus(), migrations, now: () => 1 });
    cleanups.push(() => s.close());
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect(mode(dataDir)).toBe('700');
    expect(mode(s.file)).toBe('600');
    expect(mode(`${s.file}-wal`)).toBe('600');
    expect(mode(`${s.file}-shm`)).toBe('600');
  });
});
