import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../db/migrate';
import { migrations } from '../db/migrations';
import { tempDir } from '../testing/test-core';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** The migration that made alert kinds data (its number may change when branches merge). */
const alertsVersion = migrations.find((m) => m.name === 'alerts')!.version;

describe('upgrading a store to alerts as data', () => {
  it('keeps stored rules and alerts, drops the CHECK on kinds, and starts unacknowledged and unsilenced', () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = new Database(join(dir.path, 'old.sqlite'));
    migrate(
      db,
      migrations.filter((m) => m.version < alertsVersion),
      () => 1,
    );
    db.prepare(
      `INSERT INTO alert_rules (id, name, kind, params_json, instance_id, workflow_id, enabled, cooldown_ms,
        created_at_ms, updated_at_ms) VALUES ('r1', 'Orders failing', 'error_rate',
        '{"thresholdPct":50,"windowMs":600000,"minRuns":2}', 'prod', 'wf-a', 1, 900000, 10, 20)`,
    ).run();
    db.prepare(
      `INSERT INTO alerts (rule_id, rule_name, kind, subject, state, value, threshold, message, fired_at_ms)
       VALUES ('r1', 'Orders failing', 'error_rate', 'workflow:wf-a', 'open', 75, 50, 'Error rate 75%', 30)`,
    ).run();
    // Before: a kind not in the list is refused by the table itself.
    expect(() =>
      db
        .prepare(
          `INSERT INTO alert_rules (id, name, kind, params_json, enabled, cooldown_ms, created_at_ms, updated_at_ms)
         VALUES ('r2', 'x', 'disk_full', '{}', 1, 0, 1, 1)`,
        )
        .run(),
    ).toThrow(/CHECK/);

    migrate(db, migrations, () => 2);
    expect(db.prepare('SELECT * FROM alert_rules').all()).toEqual([
      {
        id: 'r1',
        name: 'Orders failing',
        kind: 'error_rate',
        params_json: '{"thresholdPct":50,"windowMs":600000,"minRuns":2}',
        instance_id: 'prod',
        workflow_id: 'wf-a',
        enabled: 1,
        cooldown_ms: 900000,
        created_at_ms: 10,
        updated_at_ms: 20,
      },
    ]);
    expect(db.prepare('SELECT state, subject_label, acknowledged_at_ms, acknowledged_by FROM alerts').get()).toEqual({
      state: 'open',
      subject_label: null,
      acknowledged_at_ms: null,
      acknowledged_by: null,
    });
    // A new kind is a descriptor and an evaluator: the table takes any kind the contract validated.
    db.prepare(
      `INSERT INTO alert_rules (id, name, kind, params_json, enabled, cooldown_ms, created_at_ms, updated_at_ms)
       VALUES ('r2', 'x', 'disk_full', '{}', 1, 0, 1, 1)`,
    ).run();
    expect(db.prepare('SELECT COUNT(*) FROM alert_silences').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM alert_outbox').pluck().get()).toBe(0);
    db.close();
  });
});
