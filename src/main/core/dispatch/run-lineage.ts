import type { Database } from 'better-sqlite3';
import { runRefSchema, type RunRef } from '../../../shared/contract/executions';
import type { LineageNode } from '../../../shared/contract/runs';

/**
 * A RunRef of the executions row under `alias` as JSON (NULL when the join found no row): one
 * column per referenced run keeps list queries to a single SELECT.
 */
export const RUN_REF_SQL = (alias: string): string =>
  `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE json_object('id', ${alias}.id, 'source', ${alias}.source,
    'remoteId', ${alias}.remote_id, 'instanceId', ${alias}.instance_id, 'status', ${alias}.status) END`;

export function parseRunRef(json: string | null): RunRef | null {
  if (json === null) return null;
  const parsed = runRefSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

/** Lineage deeper or wider than this is cut (a retry loop gone wild must not stall a view). */
export const MAX_CHAIN = 200;
const MAX_DEPTH = 100;

interface NodeRow {
  id: number;
  source: 'local' | 'remote';
  remote_id: string | null;
  instance_id: string | null;
  status: RunRef['status'];
  retry_of_id: number | null;
  retry_kind: LineageNode['retryKind'];
  created_at_ms: number;
  depth: number;
  payload_edited: number;
}

/**
 * The retry chain a run belongs to: from the first run (the one no kept run retried) down through
 * every retry, depth first in the order they were made. A run retried twice has two children.
 */
export function createLineageReader(db: Database) {
  const parentOf = db.prepare('SELECT retry_of_id FROM executions WHERE id = ?').pluck();
  const exists = db.prepare('SELECT 1 FROM executions WHERE id = ?').pluck();
  const tree = db.prepare(`WITH RECURSIVE tree (id, depth, path) AS (
      SELECT id, 0, printf('%015d', id) FROM executions WHERE id = @root
      UNION ALL
      SELECT e.id, t.depth + 1, t.path || '/' || printf('%015d', e.id)
        FROM executions e JOIN tree t ON e.retry_of_id = t.id WHERE t.depth < ${MAX_DEPTH})
    SELECT e.id, e.source, e.remote_id, e.instance_id, e.status, e.retry_of_id, e.retry_kind, e.created_at_ms,
      t.depth, (p.id IS NOT NULL AND e.source = 'local' AND eb.payload_json IS NOT pb.payload_json) AS payload_edited
    FROM tree t JOIN executions e ON e.id = t.id LEFT JOIN executions p ON p.id = e.retry_of_id
      LEFT JOIN execution_bodies eb ON eb.id = e.id LEFT JOIN execution_bodies pb ON pb.id = p.id
    ORDER BY t.path LIMIT ${MAX_CHAIN + 1}`);

  function rootOf(id: number): number {
    let root = id;
    const seen = new Set([id]);
    for (let i = 0; i < MAX_DEPTH; i++) {
      const parent = parentOf.get(root) as number | null | undefined;
      if (parent === null || parent === undefined || seen.has(parent) || !exists.get(parent)) break;
      seen.add(parent);
      root = parent;
    }
    return root;
  }

  return {
    /** The chain around `id`; null when there is no such run. */
    chain(id: number): { chain: LineageNode[]; truncated: boolean } | null {
      if (!exists.get(id)) return null;
      const rows = tree.all({ root: rootOf(id) }) as NodeRow[];
      return {
        truncated: rows.length > MAX_CHAIN,
        chain: rows.slice(0, MAX_CHAIN).map((r) => ({
          run: { id: r.id, source: r.source, remoteId: r.remote_id, instanceId: r.instance_id, status: r.status },
          retryOfId: r.retry_of_id,
          retryKind: r.retry_kind,
          createdAtMs: r.created_at_ms,
          depth: r.depth,
          payloadEdited: r.payload_edited === 1,
        })),
      };
    },
  };
}
