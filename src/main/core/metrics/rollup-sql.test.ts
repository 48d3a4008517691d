import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate';
import { migrations } from '../db/migrations';
import { foldSql } from './rollup-batch';
import { CONTRIBUTIONS, rollupTriggerSql } from './rollup-sql';

/** Whitespace is layout, not meaning: runs of it compare as one space. */
const words = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('rollup SQL has one source (rollup-sql.ts)', () => {
  const db = new Database(':memory:');
  migrate(db, migrations, () => 1);
  const stored = (name: string) =>
    db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?").pluck().get(name) as
      string | undefined;

  it.each(Object.entries(rollupTriggerSql()))(
    'the migrated %s trigger is exactly the text made from CONTRIBUTIONS',
    (name, sql) => {
      expect(words(stored(name) ?? '(missing)')).toBe(words(sql));
    },
  );

  it('the rollup triggers on executions are the four it makes, no more', () => {
    const triggers = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%metric_rollups%' ORDER BY name")
      .pluck()
      .all();
    expect(triggers).toEqual(Object.keys(rollupTriggerSql()).sort());
  });

  it('the batch fold sums the same per-row expressions, one per counter', () => {
    const fold = words(foldSql('e.id > 0'));
    for (const c of CONTRIBUTIONS) expect(fold).toContain(words(`SUM(${c.of('e')}) AS ${c.column}`));
    // A counter added to the definition is folded too: the statement still prepares and runs.
    expect(() => db.prepare(foldSql('e.id > 0')).run()).not.toThrow();
  });
});
