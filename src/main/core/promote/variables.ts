/**
 * Per-instance variables: values that differ between instances (`API_BASE` is
 * https://dev.example.test on dev, https://api.example.test on prod). Kept in the settings table
 * (one row per instance, key `promotion.variables:<instance id>`), so backups carry them without a
 * table of their own. A promotion rewrites the source's values into the target's (plan.ts).
 */
import { z } from 'zod';
import { variableSchema, type InstanceVariables, type Variable } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';

const KEY_PREFIX = 'promotion.variables:';
const storedSchema = z.array(variableSchema);

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function createVariables(
  ctx: CoreContext,
  audit: AuditLog,
  instanceExists: (id: string) => boolean | Promise<boolean>,
) {
  const { db } = ctx.store;
  const read = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck();
  const upsert = db.prepare(
    `INSERT INTO settings (key, value_json, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
  );
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');

  /** The stored variables of an instance, sorted by name ([] when none or unreadable). */
  function of(instanceId: string): Variable[] {
    const raw = read.get(KEY_PREFIX + instanceId) as string | undefined;
    if (raw === undefined) return [];
    const parsed = storedSchema.safeParse(parseJson(raw));
    if (!parsed.success) {
      // A hand-edited row: promotions must not guess; the operator sees none and sets them again.
      ctx.logger.warn('Ignoring invalid stored variables of an instance', { instanceId });
      return [];
    }
    return [...parsed.data].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function checkInstance(instanceId: string) {
    if (!(await instanceExists(instanceId)))
      throw new AppError('VALIDATION', `Unknown instance ${instanceId}: add it under Instances first.`);
  }

  async function get(instanceId: string): Promise<InstanceVariables> {
    await checkInstance(instanceId);
    return { instanceId, variables: of(instanceId) };
  }

  /** Replaces the whole set (validated by the contract: names, values, no name twice). */
  async function set(instanceId: string, variables: readonly Variable[]): Promise<InstanceVariables> {
    await checkInstance(instanceId);
    const next = [...variables].sort((a, b) => a.name.localeCompare(b.name));
    ctx.store.write((announce) => {
      const before = of(instanceId);
      if (next.length) upsert.run(KEY_PREFIX + instanceId, JSON.stringify(next), ctx.clock.now());
      else remove.run(KEY_PREFIX + instanceId);
      const was = new Map(before.map((v) => [v.name, v.value]));
      const now = new Map(next.map((v) => [v.name, v.value]));
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'promotion.variables',
        targetType: 'instance',
        targetId: instanceId,
        // Not secrets: the values are in the entry, so it says what a later promotion wrote.
        details: {
          set: next.filter((v) => was.get(v.name) !== v.value),
          removed: before.filter((v) => !now.has(v.name)).map((v) => v.name),
        },
      });
      announce('promotions:variablesChanged', { instanceId });
    });
    return { instanceId, variables: next };
  }

  /** A removed instance's variables go with it (follows instances:removed). */
  function forget(instanceId: string) {
    ctx.store.write((announce) => {
      if (remove.run(KEY_PREFIX + instanceId).changes > 0) announce('promotions:variablesChanged', { instanceId });
    });
  }

  return { of, get, set, forget };
}

export type Variables = ReturnType<typeof createVariables>;
