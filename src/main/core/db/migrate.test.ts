import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/test-core';
import { migrate, StartupError, type Migration } from './migrate';
import { migrations as shipped } from './migrations';
import { join } from 'node:path';

const base: Migration[] = [
  { version: 1, name: 'one', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY) STRICT;' },
  { version: 2, name: 'two', sql: 'CREATE TABLE b (id INTEGER PRIMARY KEY) STRICT;' },
];

describe('migrate', () => {
  const dirs: { remove(): void }[] = [];
  const openDb = () => {
    const dir = tempDir();
    dirs.push(dir);
    return new Database(join(dir.path, 'test.sqlite'));
  };
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

  const expectStartupError = (fn: () => unknown, reason: string) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).reason).toBe(reason);
      return error as StartupError;
    }
    throw new Error('expected a StartupError');
  };

  it('applies every migration once and records its hash in the ledger', () => {
    const db = openDb();
    expect(migrate(db, base, () => 1000)).toBe(2);
    expect(migrate(db, base, () => 2000)).toBe(2);
    const ledger = db.prepare('SELECT version, name, sha256, applied_at_ms FROM _migrations').all();
    expect(ledger).toEqual([
      { version: 1, name: 'one', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), applied_at_ms: 1000 },
      { version: 2, name: 'two', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), applied_at_ms: 1000 },
    ]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('refuses to start when an applied migration was edited, and changes nothing', () => {
    const db = openDb();
    migrate(db, base.slice(0, 1), () => 1);
    const edited = [{ ...base[0]!, sql: base[0]!.sql + ' -- tweak' }, base[1]!];
    const error = expectStartupError(() => migrate(db, edited, () => 2), 'EDITED_MIGRATION');
    expect(error.message).toContain('0001_one');
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
  });

  it('refuses a database written by a newer build', () => {
    const db = openDb();
    migrate(db, base, () => 1);
    const error = expectStartupError(() => migrate(db, base.slice(0, 1), () => 2), 'NEWER_SCHEMA');
    expect(error.message).toMatch(/schema version 2.*only knows up to version 1/);
  });

  it('rolls back a failing migration and keeps the previous version', () => {
    const db = openDb();
    const broken = [
      ...base,
      { version: 3, name: 'broken', sql: 'CREATE TABLE c (id INTEGER); SELECT * FROM nowhere;' },
    ];
    expectStartupError(() => migrate(db, broken, () => 1), 'MIGRATION_FAILED');
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'c'").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT max(version) AS v FROM _migrations').get()).toEqual({ v: 2 });
  });

  it('ships migrations with distinct increasing numbers that apply cleanly to an empty database', () => {
    const versions = shipped.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    const db = openDb();
    expect(migrate(db, shipped, () => 1)).toBe(versions.at(-1));
  });

  it('accepts a gap in the numbers and applies the migration that fills it later', () => {
    const db = openDb();
    const three = { version: 3, name: 'three', sql: 'CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT;' };
    expect(migrate(db, [base[0]!, three], () => 1)).toBe(3);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(migrate(db, [...base, three], () => 2)).toBe(3);
    const ledger = db.prepare('SELECT version FROM _migrations ORDER BY version').pluck().all();
    expect(ledger).toEqual([1, 2, 3]);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'").pluck().get()).toBe(1);
  });

  it('refuses a database holding a migration this build does not know, even below its newest', () => {
    const db = openDb();
    const three = { version: 3, name: 'three', sql: 'CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT;' };
    migrate(db, [...base, three], () => 1);
    const error = expectStartupError(() => migrate(db, [base[0]!, three], () => 2), 'NEWER_SCHEMA');
    expect(error.message).toContain('not version 2');
  });

  it('refuses two migrations with the same number', () => {
    expect(() => migrate(openDb(), [...base, { ...base[1]!, name: 'again' }], () => 1)).toThrow(/distinct/);
  });
});
