import { createHash } from 'node:crypto';
import {
  AUDIT_NEWEST_FIRST,
  type AuditEntry,
  type AuditOrder,
  type AuditOrderBy,
  type AuditVerify,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
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

/** One part of an order's key (before the entry id, which ends every key). */
interface KeyPart {
  column: 'actor' | 'action' | 'target_type' | 'target_id';
  /** NULL sorts lowest (SQLite's rule): first oldest-to-newest, last newest-to-oldest. */
  nullable: boolean;
}

/**
 * Each order's key before the id. The indexes that serve them: the primary key (time),
 * audit_log_actor (actor, id), audit_log_target (target_type, target_id, rowid); action has none
 * and sorts the filtered rows (see the report of the audit order work).
 */
const ORDER_KEYS: Record<AuditOrderBy, readonly KeyPart[]> = {
  time: [],
  actor: [{ column: 'actor', nullable: false }],
  action: [{ column: 'action', nullable: false }],
  target: [
    { column: 'target_type', nullable: false },
    { column: 'target_id', nullable: true },
  ],
};

/**
 * Rows strictly after the key `(@k0, @k1, …, @kid)` in the order `parts, id` all in `direction`:
 * the first part that differs decides. Spelled out (no row value) because a NULL in a row value
 * compares as unknown, and a target may have no id.
 */
function afterKey(parts: readonly KeyPart[], direction: 'asc' | 'desc'): string {
  const keys = [...parts, { column: 'id', nullable: false } as const];
  const param = (i: number) => (i === keys.length - 1 ? '@kid' : `@k${i}`);
  const equal = (p: (typeof keys)[number], i: number) =>
    p.nullable ? `${p.column} IS ${param(i)}` : `${p.column} = ${param(i)}`;
  const beyond = (p: (typeof keys)[number], i: number) => {
    const c = p.column;
    const k = param(i);
    if (!p.nullable) return `${c} ${direction === 'desc' ? '<' : '>'} ${k}`;
    return direction === 'desc'
      ? `(${k} IS NOT NULL AND (${c} IS NULL OR ${c} < ${k}))`
      : `(${c} IS NOT NULL AND (${k} IS NULL OR ${c} > ${k}))`;
  };
  const alternatives = keys.map((p, i) => [...keys.slice(0, i).map(equal), beyond(p, i)].join(' AND '));
  // The first part's bound alone lets SQLite seek its index instead of scanning from the top.
  const first = keys[0];
  const seek = first && !first.nullable ? [`${first.column} ${direction === 'desc' ? '<=' : '>='} ${param(0)}`] : [];
  return `(${[...seek, `(${alternatives.map((a) => `(${a})`).join(' OR ')})`].join(' AND ')})`;
}

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

  const keyRow = db.prepare('SELECT id, actor, action, target_type, target_id FROM audit_log WHERE id = ?');

  /** The position a cursor points after: the key of the entry it names, in the order it was made for. */
  function cursorKey(cursor: string, order: AuditOrder): { key: (string | null)[]; id: number } {
    const [by, direction, id] = cursor.split('.');
    if (by !== order.by || direction !== order.direction)
      throw new AppError(
        'VALIDATION',
        `This cursor pages the order ${by}/${direction}, not ${order.by}/${order.direction}: pass the nextCursor of the previous page with the same order and filters.`,
      );
    const row = keyRow.get(Number(id)) as AuditRow | undefined;
    if (!row)
      throw new AppError(
        'VALIDATION',
        `The entry this cursor continues after (#${id}) is not in the log (it was restored meanwhile): start again from the first page.`,
      );
    return { key: ORDER_KEYS[order.by].map((part) => row[part.column]), id: row.id };
  }

  function list(query: {
    beforeId?: number | undefined;
    limit: number;
    targetType?: string | undefined;
    targetId?: string | undefined;
    action?: string | undefined;
    actor?: string | undefined;
    order?: AuditOrder | undefined;
    cursor?: string | undefined;
  }) {
    const filters = {
      beforeId: 'id < @beforeId',
      targetType: 'target_type = @targetType',
      targetId: 'target_id = @targetId',
      action: 'action = @action',
      actor: 'actor = @actor',
    } as const;
    const used = (Object.keys(filters) as (keyof typeof filters)[]).filter((k) => query[k] !== undefined);
    const where: string[] = used.map((k) => filters[k]);
    const params: Record<string, unknown> = {
      ...Object.fromEntries(used.map((k) => [k, query[k]])),
      limit: query.limit + 1,
    };
    const order = query.order ?? AUDIT_NEWEST_FIRST;
    const parts = ORDER_KEYS[order.by];
    if (query.cursor) {
      const { key, id } = cursorKey(query.cursor, order);
      key.forEach((value, i) => (params[`k${i}`] = value));
      params.kid = id;
      where.push(afterKey(parts, order.direction));
    }
    const dir = order.direction === 'desc' ? 'DESC' : 'ASC';
    const orderBy = [...parts.map((p) => `${p.column} ${dir}`), `id ${dir}`].join(', ');
    const rows = db
      .prepare(
        `SELECT * FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${orderBy} LIMIT @limit`,
      )
      .all(params) as AuditRow[];
    const page = rows.slice(0, query.limit);
    const last = rows.length > query.limit ? page.at(-1) : undefined;
    const newestFirst = order.by === 'time' && order.direction === 'desc';
    return {
      entries: page.map(toEntry),
      nextBeforeId: last && newestFirst ? last.id : null,
      nextCursor: last ? `${order.by}.${order.direction}.${last.id}` : null,
    };
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
