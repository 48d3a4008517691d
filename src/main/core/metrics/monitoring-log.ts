import {
  SEVERITIES,
  type CallArgs,
  type CallOutput,
  type MonitoringEvent,
  type Severity,
} from '../../../shared/contract';
import type { Announce, Store } from '../db/store';

/** What a module records; the log adds the id and time. */
export interface MonitoringRecord {
  severity: Severity;
  /** Dotted kind, e.g. `alert.fired`, `retention.run`, `sync.failed`. */
  kind: string;
  /** One sentence an operator understands. */
  message: string;
  fields?: Record<string, unknown>;
}

interface Row {
  id: number;
  at_ms: number;
  severity: Severity;
  kind: string;
  message: string;
  fields_json: string;
}

const toEvent = (row: Row): MonitoringEvent => ({
  id: row.id,
  atMs: row.at_ms,
  severity: row.severity,
  kind: row.kind,
  message: row.message,
  fields: JSON.parse(row.fields_json) as Record<string, unknown>,
});

/** The structured monitoring event log. `record` runs inside the caller's `store.write`. */
export function createMonitoringLog(store: Store, now: () => number) {
  const insert = store.db.prepare(
    'INSERT INTO monitoring_events (at_ms, severity, kind, message, fields_json) VALUES (?, ?, ?, ?, ?)',
  );

  function record(announce: Announce, event: MonitoringRecord): MonitoringEvent {
    const row = {
      at_ms: now(),
      severity: event.severity,
      kind: event.kind,
      message: event.message,
      fields_json: JSON.stringify(event.fields ?? {}),
    };
    const id = Number(insert.run(row.at_ms, row.severity, row.kind, row.message, row.fields_json).lastInsertRowid);
    const saved = toEvent({ id, ...row });
    announce('monitoring:event', saved);
    return saved;
  }

  /** Records in a transaction of its own: for callers outside any write. */
  const recordNow = (event: MonitoringRecord) => store.write((announce) => record(announce, event));

  function list(query: CallArgs<'monitoring:list'>): CallOutput<'monitoring:list'> {
    const filters: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit + 1 };
    if (query.minSeverity) {
      const allowed = SEVERITIES.slice(SEVERITIES.indexOf(query.minSeverity));
      filters.push(`severity IN (${allowed.map((s) => `'${s}'`).join(', ')})`);
    }
    if (query.kind?.endsWith('.')) {
      // A prefix: `alert.` matches alert.fired and alert.resolved. Escape LIKE's wildcards.
      filters.push("kind LIKE @kindPrefix ESCAPE '\\'");
      params.kindPrefix = query.kind.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
    } else if (query.kind) {
      filters.push('kind = @kind');
      params.kind = query.kind;
    }
    for (const [key, sql] of [
      ['fromMs', 'at_ms >= @fromMs'],
      ['toMs', 'at_ms < @toMs'],
      ['beforeId', 'id < @beforeId'],
    ] as const) {
      if (query[key] === undefined) continue;
      filters.push(sql);
      params[key] = query[key];
    }
    const rows = store.db
      .prepare(
        `SELECT * FROM monitoring_events ${filters.length ? 'WHERE ' + filters.join(' AND ') : ''}
         ORDER BY id DESC LIMIT @limit`,
      )
      .all(params) as Row[];
    const page = rows.slice(0, query.limit);
    return {
      events: page.map(toEvent),
      nextBeforeId: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  return { record, recordNow, list };
}

export type MonitoringLog = ReturnType<typeof createMonitoringLog>;
