import { randomUUID } from 'node:crypto';
import type { CallArgs, Instance, InstanceHealth, SyncState, WaitInbox } from '../../../shared/contract';
import { waitInboxSchema } from '../../../shared/contract/instances';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { SecretMismatchError, type SecretBox } from './secret-box';

interface InstanceRow {
  id: string;
  name: string;
  base_url: string;
  api_key_sealed: string;
  api_key_last4: string;
  secret_kind: string;
  environment: string;
  color: string;
  sync_enabled: number;
  public_webhook_url: string | null;
  wait_inbox_json: string;
  created_at_ms: number;
  updated_at_ms: number;
  state: SyncState['state'] | null;
  n8n_version: string | null;
  last_attempt_at_ms: number | null;
  last_success_at_ms: number | null;
  last_error_code: string | null;
  last_error: string | null;
  consecutive_failures: number | null;
  next_sync_at_ms: number | null;
  health_state: 'up' | 'down' | null;
  health_since_ms: number | null;
  health_reason: string | null;
  health_source: InstanceHealth['source'];
  health_checked_at_ms: number | null;
}

/** The fields of the sync state the sync loop writes. */
export type SyncStatePatch = Partial<Omit<SyncState, 'state'>> & { state?: SyncState['state'] };

const SYNC_COLUMNS: Record<keyof SyncStatePatch, string> = {
  state: 'state',
  n8nVersion: 'n8n_version',
  lastAttemptAtMs: 'last_attempt_at_ms',
  lastSuccessAtMs: 'last_success_at_ms',
  lastErrorCode: 'last_error_code',
  lastError: 'last_error',
  consecutiveFailures: 'consecutive_failures',
  nextSyncAtMs: 'next_sync_at_ms',
};

const normalizeUrl = (url: string) => url.trim().replace(/\/+$/, '');
const OFF: WaitInbox = { enabled: false, workflowIds: [] };

/** The stored option, re-validated on read (a hand-edited row reads as off, never as a crash). */
function readWaitInbox(json: string): WaitInbox {
  try {
    const parsed = waitInboxSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : OFF;
  } catch {
    return OFF;
  }
}

const writeWaitInbox = (w: WaitInbox) =>
  JSON.stringify({ enabled: w.enabled, workflowIds: [...new Set(w.workflowIds)] });
const last4 = (key: string) => key.trim().slice(-4);

/**
 * What an instance's API key is sealed to: it opens only for this instance at this address, so
 * a key can never follow a changed address (or another row) without the operator entering it.
 */
export const instanceKeyContext = (id: string, baseUrl: string) =>
  JSON.stringify(['flightdeck:instance-api-key', id, normalizeUrl(baseUrl)]);

/** A sealed key as a restore sees it, to tell whether this console can open it. */
export interface SealedInstanceKey {
  id: string;
  baseUrl: string;
  sealed: string;
  secretKind: string;
}

function toInstance(row: InstanceRow): Instance {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    environment: row.environment,
    color: row.color,
    syncEnabled: row.sync_enabled === 1,
    publicWebhookUrl: row.public_webhook_url,
    waitInbox: readWaitInbox(row.wait_inbox_json),
    hasApiKey: row.api_key_sealed.length > 0,
    apiKeyLast4: row.api_key_last4,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    sync: {
      state: row.state ?? 'never',
      n8nVersion: row.n8n_version,
      lastAttemptAtMs: row.last_attempt_at_ms,
      lastSuccessAtMs: row.last_success_at_ms,
      lastErrorCode: row.last_error_code,
      lastError: row.last_error,
      consecutiveFailures: row.consecutive_failures ?? 0,
      nextSyncAtMs: row.next_sync_at_ms,
    },
    health: {
      state: row.health_state ?? 'unknown',
      sinceMs: row.health_since_ms,
      reason: row.health_reason,
      source: row.health_source,
      checkedAtMs: row.health_checked_at_ms,
    },
  };
}

/** What the pipeline needs of an instance on every event and dispatch. */
export interface InstanceEndpoint {
  baseUrl: string;
  name: string;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/**
 * n8n connection profiles. The API key is sealed by the SecretBox before it touches the store
 * and is only ever handed, decrypted, to the n8n client (`apiKeyOf`): never to a contract output,
 * an event, the audit log or the logger.
 */
export function createInstancesService(ctx: CoreContext, audit: AuditLog, box: SecretBox) {
  const { db } = ctx.store;
  const now = () => ctx.clock.now();
  // Health (0013) is named apart: its `state` column would shadow the sync state's.
  const HEALTH = `h.state AS health_state, h.since_ms AS health_since_ms, h.reason AS health_reason,
    h.source AS health_source, h.checked_at_ms AS health_checked_at_ms`;
  const selectAll = db.prepare(`SELECT i.*, s.*, ${HEALTH} FROM instances i
    LEFT JOIN instance_sync_state s ON s.instance_id = i.id
    LEFT JOIN instance_health h ON h.instance_id = i.id ORDER BY i.name COLLATE NOCASE`);
  const selectOne = db.prepare(`SELECT i.*, s.*, ${HEALTH} FROM instances i
    LEFT JOIN instance_sync_state s ON s.instance_id = i.id
    LEFT JOIN instance_health h ON h.instance_id = i.id WHERE i.id = ?`);
  /** Told of every sync outcome that says whether n8n answered (instance health listens). */
  const syncListeners = new Set<
    (announce: Announce, id: string, state: SyncState['state'], error: string | null) => void
  >();

  function find(id: string): InstanceRow | undefined {
    return selectOne.get(id) as InstanceRow | undefined;
  }

  // What every event and every dispatch asks (an instance's address and name), kept in memory:
  // the full row (joined with sync state and health, the wait inbox re-validated) cost a tenth of
  // the door's CPU when read per event. Only add/update/remove and a restore change these two
  // columns; each forgets the cache before and after its write, so neither a rollback nor a read
  // inside the write's transaction can leave a stale entry.
  const selectEndpoint = db.prepare('SELECT base_url, name FROM instances WHERE id = ?');
  const endpoints = new Map<string, InstanceEndpoint | null>();
  function endpoint(id: string): InstanceEndpoint | null {
    let cached = endpoints.get(id);
    if (cached === undefined) {
      const row = selectEndpoint.get(id) as { base_url: string; name: string } | undefined;
      cached = row ? { baseUrl: row.base_url, name: row.name } : null;
      // Ids of removed instances (old jobs) are remembered too; a bound keeps that small.
      if (endpoints.size >= 1_000) endpoints.clear();
      endpoints.set(id, cached);
    }
    return cached;
  }
  function forgetEndpoints<T>(write: () => T): T {
    endpoints.clear();
    try {
      return write();
    } finally {
      endpoints.clear();
    }
  }

  function require(id: string): InstanceRow {
    const row = find(id);
    if (!row) throw new AppError('NOT_FOUND', `No n8n instance with id ${id}: it may have been removed.`);
    return row;
  }

  const list = (): Instance[] => (selectAll.all() as InstanceRow[]).map(toInstance);
  const get = (id: string): Instance => toInstance(require(id));

  function add(input: CallArgs<'instances:add'>): Instance {
    const id = randomUUID();
    const sealed = box.encrypt(input.apiKey.trim(), instanceKeyContext(id, input.baseUrl));
    const t = now();
    try {
      return forgetEndpoints(() =>
        ctx.store.write((announce) => {
          db.prepare(
            `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color,
             sync_enabled, public_webhook_url, wait_inbox_json, created_at_ms, updated_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            input.name,
            normalizeUrl(input.baseUrl),
            sealed,
            last4(input.apiKey),
            box.kind,
            input.environment,
            input.color,
            input.syncEnabled ? 1 : 0,
            input.publicWebhookUrl ? normalizeUrl(input.publicWebhookUrl) : null,
            writeWaitInbox(input.waitInbox),
            t,
            t,
          );
          db.prepare(`INSERT INTO instance_sync_state (instance_id, state) VALUES (?, 'never')`).run(id);
          audit.record(announce, {
            actor: ctx.operator(),
            action: 'instance.add',
            targetType: 'instance',
            targetId: id,
            details: { name: input.name, baseUrl: normalizeUrl(input.baseUrl), environment: input.environment },
          });
          const saved = get(id);
          announce('instances:changed', saved);
          return saved;
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `An instance named "${input.name}" exists already: choose another name.`);
      throw error;
    }
  }

  function update({ id, patch }: CallArgs<'instances:update'>): Instance {
    const row = require(id);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => void (sets.push(`${column} = ?`), values.push(value));
    const baseUrl = patch.baseUrl !== undefined ? normalizeUrl(patch.baseUrl) : row.base_url;
    const moved = baseUrl !== row.base_url;
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.baseUrl !== undefined) set('base_url', baseUrl);
    if (patch.environment !== undefined) set('environment', patch.environment);
    if (patch.color !== undefined) set('color', patch.color);
    if (patch.syncEnabled !== undefined) set('sync_enabled', patch.syncEnabled ? 1 : 0);
    if (patch.publicWebhookUrl !== undefined)
      set('public_webhook_url', patch.publicWebhookUrl ? normalizeUrl(patch.publicWebhookUrl) : null);
    if (patch.waitInbox !== undefined) set('wait_inbox_json', writeWaitInbox(patch.waitInbox));
    if (patch.apiKey !== undefined) {
      set('api_key_sealed', box.encrypt(patch.apiKey.trim(), instanceKeyContext(id, baseUrl)));
      set('api_key_last4', last4(patch.apiKey));
      set('secret_kind', box.kind);
    } else if (moved && row.api_key_sealed !== '') {
      // The operator moved the instance in its form: an intended change, so the key follows it.
      set('api_key_sealed', box.encrypt(openKey(row, 'move'), instanceKeyContext(id, baseUrl)));
      set('secret_kind', box.kind);
    }
    set('updated_at_ms', now());
    // The audit log names what changed; a new key is recorded as "replaced", never its value.
    const { apiKey, ...visible } = patch;
    const keyChange =
      apiKey !== undefined ? 'replaced' : moved && row.api_key_sealed !== '' ? 'bound to the new address' : null;
    const changed = keyChange === null ? visible : { ...visible, apiKey: keyChange };
    try {
      return forgetEndpoints(() =>
        ctx.store.write((announce) => {
          db.prepare(`UPDATE instances SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
          audit.record(announce, {
            actor: ctx.operator(),
            action: 'instance.update',
            targetType: 'instance',
            targetId: id,
            details: { changed },
          });
          const saved = get(id);
          announce('instances:changed', saved);
          return saved;
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `An instance named "${patch.name}" exists already: choose another name.`);
      throw error;
    }
  }

  /** Removes the profile with its synced workflows, sync log and synced executions. */
  function remove(id: string): { id: string } {
    const row = require(id);
    return forgetEndpoints(() =>
      ctx.store.write((announce) => {
        const executions = db
          .prepare(`DELETE FROM executions WHERE instance_id = ? AND source = 'remote'`)
          .run(id).changes;
        db.prepare('DELETE FROM instances WHERE id = ?').run(id);
        audit.record(announce, {
          actor: ctx.operator(),
          action: 'instance.remove',
          targetType: 'instance',
          targetId: id,
          details: { name: row.name, baseUrl: row.base_url, executionsRemoved: executions },
        });
        announce('instances:removed', { id });
        return { id };
      }),
    );
  }

  /**
   * Opens a row's key for its own instance and address. `move`: for re-sealing it to a new
   * address, where a key that does not open asks for the key itself instead.
   */
  function openKey(row: InstanceRow, purpose: 'use' | 'move' = 'use'): string {
    if (row.api_key_sealed === '') {
      throw new AppError(
        'UNAVAILABLE',
        `No API key is stored for "${row.name}" (a restore drops a key whose address changed): enter it again under Instances → Edit.`,
      );
    }
    const enterAgain =
      purpose === 'move' ? 'Enter the API key too when changing the address.' : 'Enter the key again in the instance.';
    if (row.secret_kind !== box.kind) {
      throw new AppError(
        purpose === 'move' ? 'VALIDATION' : 'UNAVAILABLE',
        `The API key of "${row.name}" was sealed by ${row.secret_kind}, which this Flightdeck does not use (${box.kind}). ${enterAgain}`,
      );
    }
    try {
      const { plain, bound } = box.decrypt(row.api_key_sealed, instanceKeyContext(row.id, row.base_url));
      if (!bound) seal(row.id, row.base_url, plain);
      return plain;
    } catch (error) {
      if (!(error instanceof SecretMismatchError)) throw error;
      throw new AppError(
        purpose === 'move' ? 'VALIDATION' : 'UNAVAILABLE',
        `The API key of "${row.name}" does not open here: it was sealed by another key file, or for another address. ${enterAgain}`,
      );
    }
  }

  /** Re-seals a key bound to its instance (a value sealed before binding existed). */
  function seal(id: string, baseUrl: string, plain: string): void {
    ctx.store.write(() =>
      db
        .prepare('UPDATE instances SET api_key_sealed = ?, secret_kind = ? WHERE id = ? AND base_url = ?')
        .run(box.encrypt(plain, instanceKeyContext(id, baseUrl)), box.kind, id, baseUrl),
    );
  }

  /** The decrypted key, for the n8n client only. */
  const apiKeyOf = (id: string): string => openKey(require(id));

  /** What a client for this instance is built from: a client built from anything else is stale. */
  function connectionStamp(id: string): string {
    const row = require(id);
    return `${row.base_url}\n${row.secret_kind}\n${row.api_key_sealed}`;
  }

  /** Whether a sealed key (e.g. one carried by a backup) opens here for that instance and address. */
  function keyOpens(key: SealedInstanceKey): boolean {
    if (key.sealed === '' || key.secretKind !== box.kind) return false;
    try {
      box.decrypt(key.sealed, instanceKeyContext(key.id, key.baseUrl));
      return true;
    } catch {
      return false; // mismatched, or the box cannot be used at all: either way not readable here
    }
  }

  /**
   * Seals every key still in the unbound (v1) format again, bound to its instance. Run at start
   * and after a restore; a key that does not open is left for `apiKeyOf` to explain.
   */
  function bindLegacyKeys(): number {
    let bound = 0;
    const rows = db
      .prepare(`SELECT * FROM instances WHERE api_key_sealed != '' AND secret_kind = ?`)
      .all(box.kind) as InstanceRow[];
    for (const row of rows) {
      try {
        const opened = box.decrypt(row.api_key_sealed, instanceKeyContext(row.id, row.base_url));
        if (opened.bound) continue;
        seal(row.id, row.base_url, opened.plain);
        bound++;
      } catch (error) {
        ctx.logger.warn('An n8n API key could not be opened to bind it to its instance', {
          instanceId: row.id,
          reason: (error as Error).message,
        });
      }
    }
    if (bound) ctx.logger.info('Bound n8n API keys to their instances', { keys: bound });
    return bound;
  }

  /** Writes sync state inside the caller's transaction and announces the changed instance. */
  function updateSyncState(announce: Announce, id: string, patch: SyncStatePatch): void {
    const keys = (Object.keys(patch) as (keyof SyncStatePatch)[]).filter((k) => patch[k] !== undefined);
    if (keys.length === 0) return;
    const result = db
      .prepare(
        `UPDATE instance_sync_state SET ${keys.map((k) => `${SYNC_COLUMNS[k]} = ?`).join(', ')} WHERE instance_id = ?`,
      )
      .run(...keys.map((k) => patch[k]), id);
    if (result.changes > 0) announce('instances:changed', get(id));
    if (result.changes > 0 && (patch.state === 'ok' || patch.state === 'offline'))
      for (const listener of syncListeners) listener(announce, id, patch.state, patch.lastError ?? null);
  }

  return {
    list,
    get,
    find: (id: string) => (find(id) ? get(id) : undefined),
    /** An instance's address and name, or null when there is no such instance (cached: the hot path). */
    endpoint,
    /** Drops cached endpoints: the instances table was changed behind this service (a restore). */
    forgetCached: () => endpoints.clear(),
    add,
    update,
    remove,
    apiKeyOf,
    connectionStamp,
    keyOpens,
    bindLegacyKeys,
    updateSyncState,
    /** Listens to sync outcomes (ok / offline), inside the transaction that records them. */
    onSyncState(listener: (announce: Announce, id: string, state: SyncState['state'], error: string | null) => void) {
      syncListeners.add(listener);
      return () => void syncListeners.delete(listener);
    },
  };
}

export type InstancesService = ReturnType<typeof createInstancesService>;
