/**
 * The restore preview in the operator's terms: which mappings, instances, schedules and rules come
 * back, go away or change (by name), and what happens to the audit log. Read while the staged
 * backup is attached, like the per-table counts (backup-restore.ts).
 */
import type Database from 'better-sqlite3';
import type { RestoreAudit, RestoreChange } from '../../../shared/contract/backups';
import { STAGING_SCHEMA, type StagedBackup } from './backup-reader';

interface Domain {
  kind: RestoreChange['kind'];
  table: string;
  /** SQL for the name, over the alias `r`. */
  name: string;
  /** Columns whose difference means "changed" (identity and timestamps left out). */
  content: string[];
}

const DOMAINS: Domain[] = [
  {
    kind: 'instance',
    table: 'instances',
    name: 'r.name',
    content: ['name', 'base_url', 'environment', 'color', 'sync_enabled'],
  },
  {
    kind: 'mapping',
    table: 'mappings',
    name: "coalesce(nullif(json_extract(r.config_json, '$.name'), ''), r.event)",
    content: ['event', 'instance_id', 'active', 'config_json'],
  },
  {
    kind: 'schedule',
    table: 'schedules',
    name: 'r.name',
    content: ['name', 'event', 'payload_json', 'timing_json', 'enabled', 'overlap', 'misfire_json', 'jitter_ms'],
  },
  {
    kind: 'approval rule',
    table: 'approval_rules',
    name: "json_extract(r.config_json, '$.name')",
    content: ['position', 'enabled', 'config_json'],
  },
  {
    kind: 'alert rule',
    table: 'alert_rules',
    name: 'r.name',
    content: ['name', 'kind', 'params_json', 'instance_id', 'workflow_id', 'enabled', 'cooldown_ms'],
  },
];

/** Per kind and change, at most this many names are listed (the counts stay exact). */
export const NAMES_PER_LIST = 100;

const S = `${STAGING_SCHEMA}`;

export function previewByName(
  db: Database.Database,
  staged: StagedBackup,
): { changes: RestoreChange[]; audit: RestoreAudit } {
  const changes: RestoreChange[] = [];
  for (const d of DOMAINS) {
    if (!staged.tables.includes(d.table)) continue;
    const differs = d.content.map((c) => `s.${c} IS NOT m.${c}`).join(' OR ');
    const lists: [RestoreChange['change'], string][] = [
      [
        'comes back',
        `SELECT ${d.name.replace(/\br\./g, 's.')} FROM ${S}.${d.table} s LEFT JOIN main.${d.table} m ON m.id = s.id WHERE m.id IS NULL`,
      ],
      [
        'goes away',
        `SELECT ${d.name.replace(/\br\./g, 'm.')} FROM main.${d.table} m LEFT JOIN ${S}.${d.table} s ON s.id = m.id WHERE s.id IS NULL`,
      ],
      [
        'changes',
        `SELECT ${d.name.replace(/\br\./g, 's.')} FROM ${S}.${d.table} s JOIN main.${d.table} m ON m.id = s.id WHERE ${differs}`,
      ],
    ];
    for (const [change, sql] of lists) {
      const names = (db.prepare(`${sql} ORDER BY 1`).pluck().all() as (string | null)[]).map((n) => n ?? '(unnamed)');
      if (names.length === 0) continue;
      changes.push({ kind: d.kind, change, count: names.length, names: names.slice(0, NAMES_PER_LIST) });
    }
  }
  return { changes, audit: auditOutcome(db, staged) };
}

function auditOutcome(db: Database.Database, staged: StagedBackup): RestoreAudit {
  const local = db.prepare('SELECT count(*) FROM main.audit_log').pluck().get() as number;
  if (!staged.tables.includes('audit_log')) {
    return {
      action: 'keep',
      removed: 0,
      added: 0,
      sentence: `The audit log is not in this backup: its ${local} entries stay as they are, and the restore is recorded in it.`,
    };
  }
  const inBackup = db.prepare(`SELECT count(*) FROM ${S}.audit_log`).pluck().get() as number;
  const shared = db
    .prepare(`SELECT count(*) FROM ${S}.audit_log s JOIN main.audit_log m ON m.hash = s.hash`)
    .pluck()
    .get() as number;
  const removed = local - shared;
  const added = inBackup - shared;
  const parts = [`The audit log becomes the backup's ${inBackup} entries`];
  if (removed > 0) {
    parts.push(
      `: the ${removed} ${removed === 1 ? 'entry' : 'entries'} recorded here and not in the backup ${removed === 1 ? 'is' : 'are'} removed (export the audit log first to keep ${removed === 1 ? 'it' : 'them'})`,
    );
  } else parts.push(': no entry recorded here is lost');
  if (added > 0) parts.push(`; ${added} from the backup come back`);
  parts.push('. The restore itself is recorded as a new entry.');
  return { action: 'replace', removed, added, sentence: parts.join('') };
}
