import { createHash } from 'node:crypto';
import type { AuditEntry, AuditVerify } from '../../../shared/contract';
import type { Announce, Store } from '../db/store';

/** What a caller records; the log adds id, time, hash and chains it to the previous entry. */
export interface AuditRecord {
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  reason: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

/** JSON with sorted keys, so the same content always hashes the same. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
    .join(',')}}`;
}

function hashOf(prevHash: string, row: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  return createHash('sha256')
    .update(prevHash)
    .update(
      canonical({
        at: row.at_ms,
        actor: row.actor,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        reason: row.reason,
        details: JSON.parse(row.details_json),
      }),
    )
    .digest('hex');
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  atMs: row.at_ms,
  actor: row.actor,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  reason: row.reason,
  details: JSON.parse(row.details_json) as Record<string, unknown>,
  hash: row.hash,
});

/** The hash-chained audit log. Writes happen inside the caller's transaction. */
export function createAuditLog(store: Store, now: () => number) {
  const { db } = store;
  const last = db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').pluck();
  const insert = db.prepare(`INSERT INTO audit_log
    (at_ms, actor, action, target_type, target_id, reason, details_json, prev_hash, hash)
    VALUES (@at_ms, @actor, @action, @target_type, @target_id, @reason, @details_json, @prev_hash, @hash)`);

  /** Appends one entry; call inside `store.write` so it commits with the action it records. */
  function record(announce: Announce, entry: AuditRecord): AuditEntry {
    const prev_hash = (last.get() as string | undefined) ?? GENESIS;
    const base = {
      at_ms: now(),
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId ?? null,
      reason: entry.reason ?? null,
      details_json: canonical(entry.details ?? {}),
    };
    const row = { ...base, prev_hash, hash: hashOf(prev_hash, base) };
    const id = Number(insert.run(row).lastInsertRowid);
    const saved = toEntry({ id, ...row });
    announce('audit:appended', saved);
    return saved;
  }

  function list(query: {
    beforeId?: number;
    limit: number;
    targetType?: string;
    targetId?: string;
    action?: string;
    actor?: string;
  }) {
    const filters = {
      beforeId: 'id < @beforeId',
      targetType: 'target_type = @targetType',
      targetId: 'target_id = @targetId',
      action: 'action = @action',
      actor: 'actor = @actor',
    } as const;
    const used = (Object.keys(filters) as (keyof typeof filters)[]).filter((k) => query[k] !== undefined);
    const where = used.map((k) => filters[k]);
    const params = { ...Object.fromEntries(used.map((k) => [k, query[k]])), limit: query.limit + 1 };
    const rows = db
      .prepare(
        `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all(params) as AuditRow[];
    const page = rows.slice(0, query.limit);
    return { entries: page.map(toEntry), nextBeforeId: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** Walks the whole chain; reports the first entry that was edited, removed or reordered. */
  function verify(): AuditVerify {
    let prev = GENESIS;
    let checked = 0;
    for (const row of db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<AuditRow>) {
      let expected: string;
      try {
        expected = hashOf(prev, row);
      } catch {
        expected = '';
      }
      if (row.prev_hash !== prev || row.hash !== expected) {
        return {
          ok: false,
          checked,
          firstBadId: row.id,
          message: `Audit entry ${row.id} does not match the chain: the log was altered at or before this entry.`,
        };
      }
      prev = row.hash;
      checked++;
    }
    return { ok: true, checked, firstBadId: null, message: `All ${checked} audit entries are intact.` };
  }

  /** Every kind of action and of target recorded so far: what the audit area's filters offer. */
  function kinds(): { actions: string[]; targetTypes: string[] } {
    const distinct = (column: 'action' | 'target_type') =>
      db.prepare(`SELECT DISTINCT ${column} FROM audit_log ORDER BY ${column}`).pluck().all() as string[];
    return { actions: distinct('action'), targetTypes: distinct('target_type') };
  }

  return { record, list, verify, kinds };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
