/**
 * Compares a staged backup with the store (the dry-run preview) and applies it in one
 * transaction: every table in the backup is replaced by the backup's rows; tables the backup
 * does not hold (execution history when it was left out) are kept as they are. Secret columns a
 * backup left out keep the local value of the same row.
 */
import type Database from 'better-sqlite3';
import type { InstanceRestore, RestoreKeyOutcome, TablePreview } from '../../../shared/contract/backups';
import { waitInboxSchema, type WaitInbox } from '../../../shared/contract/instances';
import { REMOTE_STAGING_TABLE, STAGING_SCHEMA, type StagedBackup } from './backup-reader';
import { dependencyOrder, MOVED_COLUMNS, quote, readTables, type TableInfo } from './tables';

interface Plan {
  table: TableInfo;
  /** Columns carried by the backup, minus dropped secrets. */
  compared: string[];
  redacted: string[];
}

function plansOf(db: Database.Database, staged: StagedBackup): Plan[] {
  const sections = new Map(staged.manifest.sections.map((s) => [s.name, s]));
  return dependencyOrder(readTables(db))
    .filter((t) => staged.tables.includes(t.name))
    .map((table) => {
      const section = sections.get(`table:${table.name}`);
      const has = new Set(table.columns.map((c) => c.name));
      // A table filled from columns an older backup kept elsewhere (MOVED_COLUMNS) compares those.
      const movedFrom = Object.entries(MOVED_COLUMNS).find(([, m]) => m.to === table.name);
      const carried =
        section?.columns ??
        (movedFrom ? (sections.get(`table:${movedFrom[0]}`)?.columns ?? []).concat(movedFrom[1].key) : []);
      return { table, compared: [...new Set(carried)].filter((c) => has.has(c)), redacted: section?.redacted ?? [] };
    });
}

const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;

/** Per table: rows the restore would add, change, remove or leave unchanged. */
export function previewRestore(db: Database.Database, staged: StagedBackup): TablePreview[] {
  const plans = plansOf(db, staged);
  const replaced = plans.map(({ table, compared }): TablePreview => {
    const t = quote(table.name);
    const cols = compared.map(quote).join(', ');
    const inBackup = count(db, `SELECT count(*) FROM ${STAGING_SCHEMA}.${t}`);
    const local = count(db, `SELECT count(*) FROM main.${t}`);
    const unchanged = count(
      db,
      `SELECT count(*) FROM (SELECT ${cols} FROM ${STAGING_SCHEMA}.${t} INTERSECT SELECT ${cols} FROM main.${t})`,
    );
    if (table.primaryKey.length === 0) {
      return {
        table: table.name,
        action: 'replace',
        add: inBackup - unchanged,
        change: 0,
        remove: local - unchanged,
        unchanged,
      };
    }
    const on = table.primaryKey.map((k) => `s.${quote(k)} IS m.${quote(k)}`).join(' AND ');
    const both = count(db, `SELECT count(*) FROM ${STAGING_SCHEMA}.${t} s JOIN main.${t} m ON ${on}`);
    return {
      table: table.name,
      action: 'replace',
      add: inBackup - both,
      change: both - unchanged,
      remove: local - both,
      unchanged,
    };
  });
  const kept = readTables(db)
    .filter((t) => !staged.tables.includes(t.name))
    .map((t): TablePreview => {
      const local = count(db, `SELECT count(*) FROM main.${quote(t.name)}`);
      return { table: t.name, action: 'keep', add: 0, change: 0, remove: 0, unchanged: local };
    });
  return [...replaced, ...kept];
}

/**
 * Secrets a backup without a passphrase leaves out are kept from this console's row, but only
 * while the columns they are bound to keep their value: an instance's API key stays with its
 * address. A backup that moves an instance elsewhere therefore drops its key (the operator
 * enters it again) instead of handing the key to the new address. `with`: columns that belong
 * to the secret and are kept (or not) together with it.
 */
const SECRET_RULES: Record<string, { boundTo: string[]; with: string[] }> = {
  instances: { boundTo: ['base_url'], with: ['secret_kind'] },
};

/** Replaces the backed-up tables. Call inside `store.write`: it commits with the caller, or not at all. */
export function applyRestore(
  db: Database.Database,
  staged: StagedBackup,
): { tables: number; rows: number; snapshots: number } {
  const plans = plansOf(db, staged);
  db.pragma('defer_foreign_keys = ON');
  const kept: string[] = [];
  for (const { table, redacted } of plans) {
    if (redacted.length === 0 || table.primaryKey.length === 0) continue;
    const rule = SECRET_RULES[table.name];
    const keep = `fd_keep_${table.name}`;
    const columns = [...table.primaryKey, ...redacted, ...(rule?.with ?? []), ...(rule?.boundTo ?? [])];
    db.exec(`DROP TABLE IF EXISTS temp.${quote(keep)}`);
    db.exec(
      `CREATE TEMP TABLE ${quote(keep)} AS SELECT ${[...new Set(columns)].map(quote).join(', ')} FROM main.${quote(table.name)}`,
    );
    kept.push(keep);
  }
  for (const { table } of [...plans].reverse()) db.exec(`DELETE FROM main.${quote(table.name)}`);
  let rows = 0;
  for (const { table, redacted } of plans) {
    const t = quote(table.name);
    const cols = table.columns.map((c) => quote(c.name)).join(', ');
    rows += db.prepare(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM ${STAGING_SCHEMA}.${t}`).run().changes;
    if (redacted.length && table.primaryKey.length) {
      const rule = SECRET_RULES[table.name];
      const keep = quote(`fd_keep_${table.name}`);
      const restored = [...redacted, ...(rule?.with ?? [])];
      const on = [...table.primaryKey, ...(rule?.boundTo ?? [])]
        .map((k) => `k.${quote(k)} IS ${t}.${quote(k)}`)
        .join(' AND ');
      db.exec(
        `UPDATE main.${t} SET ${restored.map((c) => `${quote(c)} = k.${quote(c)}`).join(', ')} FROM temp.${keep} k WHERE ${on}`,
      );
    }
  }
  for (const keep of kept) db.exec(`DROP TABLE temp.${quote(keep)}`);
  return { tables: plans.length, rows, snapshots: keepRemoteAsSnapshots(db, staged) };
}

/** Whether this console can open a sealed key for that instance and address (the instances area answers). */
export interface InstanceKeyCheck {
  opens(key: { id: string; baseUrl: string; sealed: string; secretKind: string }): boolean;
}

interface InstanceSide {
  id: string;
  name: string;
  base_url: string;
  api_key_sealed: string;
  secret_kind: string;
  environment: string;
  color: string;
  sync_enabled: number;
  public_webhook_url: string | null;
  wait_inbox_json: string;
}

/** A stored wait-inbox option as the instances area reads it: anything unreadable is off. */
function waitInboxOf(json: string): WaitInbox {
  try {
    const parsed = waitInboxSchema.safeParse(JSON.parse(json));
    if (parsed.success) return { enabled: parsed.data.enabled, workflowIds: [...new Set(parsed.data.workflowIds)] };
  } catch {
    // fall through: a hand-edited row reads as off, as in the instances area
  }
  return { enabled: false, workflowIds: [] };
}

/** "off", "on, every workflow", "on, 2 workflows (a1, b2)". */
function waitInboxWords(w: WaitInbox): string {
  if (!w.enabled) return 'off';
  if (w.workflowIds.length === 0) return 'on, every workflow';
  const shown = w.workflowIds.slice(0, 5).join(', ') + (w.workflowIds.length > 5 ? ', …' : '');
  return `on, ${w.workflowIds.length} workflow${w.workflowIds.length === 1 ? '' : 's'} (${shown})`;
}

const sameWaitInbox = (a: WaitInbox, b: WaitInbox) =>
  a.enabled === b.enabled &&
  a.workflowIds.length === b.workflowIds.length &&
  [...a.workflowIds].sort().every((id, i) => id === [...b.workflowIds].sort()[i]);

/**
 * What changes beyond the name, address and key, in the operator's words: the public webhook
 * URL (where wait registrations and resumes are accepted from), the wait inbox, and the
 * instance's environment, colour and sync switch.
 */
function settingChanges(prev: InstanceSide, next: InstanceSide): string[] {
  const out: string[] = [];
  const url = (u: string | null) => u ?? 'none (the address above)';
  if (prev.public_webhook_url !== next.public_webhook_url)
    out.push(`Public webhook URL: ${url(prev.public_webhook_url)} → ${url(next.public_webhook_url)}`);
  const inboxBefore = waitInboxOf(prev.wait_inbox_json);
  const inboxAfter = waitInboxOf(next.wait_inbox_json);
  if (!sameWaitInbox(inboxBefore, inboxAfter))
    out.push(`Waits in the inbox: ${waitInboxWords(inboxBefore)} → ${waitInboxWords(inboxAfter)}`);
  if (prev.environment !== next.environment) out.push(`Environment: ${prev.environment} → ${next.environment}`);
  if (prev.color !== next.color) out.push(`Colour: ${prev.color} → ${next.color}`);
  if (prev.sync_enabled !== next.sync_enabled)
    out.push(`Sync: ${prev.sync_enabled ? 'on' : 'off'} → ${next.sync_enabled ? 'on' : 'off'}`);
  return out;
}

/**
 * Per instance, what the restore does (the same rules as `applyRestore`): name and address
 * before and after, and what happens to its API key. Read with the staging database attached,
 * before applying. Empty when the backup does not hold the instances table.
 */
export function previewInstances(
  db: Database.Database,
  staged: StagedBackup,
  keys?: InstanceKeyCheck,
): InstanceRestore[] {
  if (!staged.tables.includes('instances')) return [];
  const section = staged.manifest.sections.find((s) => s.name === 'table:instances');
  const keyLeftOut = section?.redacted.includes('api_key_sealed') ?? false;
  // Everything but secrets and timestamps, to tell "changed" from "unchanged".
  const read = (schema: string) =>
    new Map(
      (
        db
          .prepare(
            `SELECT id, name, base_url, ${keyLeftOut && schema !== 'main' ? "''" : 'api_key_sealed'} AS api_key_sealed,
              secret_kind, environment, color, sync_enabled, public_webhook_url, wait_inbox_json
              FROM ${schema}.instances ORDER BY name COLLATE NOCASE`,
          )
          .all() as InstanceSide[]
      ).map((r) => [r.id, r]),
    );
  const before = read('main');
  const after = read(STAGING_SCHEMA);
  const out: InstanceRestore[] = [];
  for (const [id, next] of after) {
    const prev = before.get(id);
    const settings = prev ? settingChanges(prev, next) : [];
    const action = !prev
      ? 'add'
      : prev.name === next.name && prev.base_url === next.base_url && settings.length === 0
        ? 'unchanged'
        : 'change';
    const { apiKey, note } = keyOutcome(prev, next, keyLeftOut, keys);
    out.push({
      instanceId: id,
      action,
      name: { before: prev?.name ?? null, after: next.name },
      baseUrl: { before: prev?.base_url ?? null, after: next.base_url },
      publicWebhookUrl: { before: prev ? prev.public_webhook_url : null, after: next.public_webhook_url },
      waitInbox: { before: prev ? waitInboxOf(prev.wait_inbox_json) : null, after: waitInboxOf(next.wait_inbox_json) },
      settings,
      apiKey,
      note,
    });
  }
  for (const [id, prev] of before) {
    if (after.has(id)) continue;
    out.push({
      instanceId: id,
      action: 'remove',
      name: { before: prev.name, after: null },
      baseUrl: { before: prev.base_url, after: null },
      publicWebhookUrl: { before: prev.public_webhook_url, after: null },
      waitInbox: { before: waitInboxOf(prev.wait_inbox_json), after: null },
      settings: [],
      apiKey: 'removed',
      note: 'Not in the backup: removed here with its key (nothing changes in n8n).',
    });
  }
  return out;
}

function keyOutcome(
  prev: InstanceSide | undefined,
  next: InstanceSide,
  keyLeftOut: boolean,
  keys: InstanceKeyCheck | undefined,
): { apiKey: RestoreKeyOutcome; note: string } {
  if (keyLeftOut) {
    if (!prev || prev.api_key_sealed === '')
      return {
        apiKey: 'missing',
        note: 'The backup has no key for it (no passphrase): enter its API key after the restore.',
      };
    if (prev.base_url !== next.base_url) {
      return {
        apiKey: 'dropped',
        note: `Its address changes (${prev.base_url} → ${next.base_url}) and the backup has no key for it: this console's key is removed, not sent to the new address. Enter the key again after the restore.`,
      };
    }
    return { apiKey: 'kept', note: "This console's key is kept (same address)." };
  }
  if (next.api_key_sealed === '')
    return { apiKey: 'missing', note: 'The backup has no key for it: enter its API key after the restore.' };
  const opens =
    keys?.opens({ id: next.id, baseUrl: next.base_url, sealed: next.api_key_sealed, secretKind: next.secret_kind }) ??
    true;
  return opens
    ? { apiKey: 'restored', note: 'The key in the backup is restored (it opens here, for this address).' }
    : {
        apiKey: 'unreadable',
        note: 'The key in the backup was sealed by another console or key store and cannot be opened here: enter it again after the restore.',
      };
}

/** The preview's key outcomes, and moved public webhook URLs, in words, for the warnings list. */
export function instanceWarnings(instances: InstanceRestore[]): string[] {
  const name = (i: InstanceRestore) => i.name.after ?? i.name.before ?? i.instanceId;
  const keys = instances
    .filter(
      (i) => i.apiKey === 'dropped' || i.apiKey === 'unreadable' || (i.apiKey === 'missing' && i.action !== 'remove'),
    )
    .map((i) => `${name(i)}: ${i.note}`);
  // Where resumes of registered waits go: a restore that moves it should not pass unnoticed.
  const hooks = instances
    .filter((i) => i.action === 'change' && i.publicWebhookUrl.before !== i.publicWebhookUrl.after)
    .map(
      (i) =>
        `${name(i)}: its public webhook URL changes (${i.publicWebhookUrl.before ?? 'none'} → ${i.publicWebhookUrl.after ?? 'none'}); waits registered on the new one are accepted and resumed there.`,
    );
  return [...keys, ...hooks];
}

/**
 * The n8n workflows in the backup become one snapshot per instance (the next version number),
 * so the Snapshots panel can push them back into that instance or another.
 */
function keepRemoteAsSnapshots(db: Database.Database, staged: StagedBackup): number {
  const label = `From the backup of ${new Date(staged.manifest.createdAtMs).toISOString()}`;
  const read = db
    .prepare(`SELECT workflow_json FROM ${REMOTE_STAGING_TABLE} WHERE instance_id = ? ORDER BY rowid`)
    .pluck();
  let made = 0;
  for (const { instanceId, workflows } of staged.remote) {
    if (workflows === 0) continue;
    const list = (read.all(instanceId) as string[]).map((json) => JSON.parse(json) as unknown);
    const version =
      ((db.prepare('SELECT max(version) FROM main.n8n_snapshots WHERE instance_id = ?').pluck().get(instanceId) as
        number | null) ?? 0) + 1;
    db.prepare(
      `INSERT INTO main.n8n_snapshots (instance_id, version, label, taken_at_ms, workflow_count, tag_count,
        variable_count, data_json) VALUES (?, ?, ?, ?, ?, 0, 0, ?)`,
    ).run(
      instanceId,
      version,
      label,
      staged.manifest.createdAtMs,
      list.length,
      JSON.stringify({ workflows: list, tags: [], variables: [] }),
    );
    made++;
  }
  return made;
}
