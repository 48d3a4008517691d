import { randomUUID } from 'node:crypto';
import type { CallArgs, Instance, InstanceHealth, SyncState } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import type { SecretBox } from './secret-box';

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
const last4 = (key: string) => key.trim().slice(-4);

function toInstance(row: InstanceRow): Instance {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    environment: row.environment,
    color: row.color,
    syncEnabled: row.sync_enabled === 1,
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

  function require(id: string): InstanceRow {
    const row = find(id);
    if (!row) throw new AppError('NOT_FOUND', `No n8n instance with id ${id}: it may have been removed.`);
    return row;
  }

  const list = (): Instance[] => (selectAll.all() as InstanceRow[]).map(toInstance);
  const get = (id: string): Instance => toInstance(require(id));

  function add(input: CallArgs<'instances:add'>): Instance {
    const id = randomUUID();
    const sealed = box.encrypt(input.apiKey.trim());
    const t = now();
    try {
      return ctx.store.write((announce) => {
        db.prepare(
          `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color,
             sync_enabled, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `An instance named "${input.name}" exists already: choose another name.`);
      throw error;
    }
  }

  function update({ id, patch }: CallArgs<'instances:update'>): Instance {
    require(id);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => void (sets.push(`${column} = ?`), values.push(value));
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.baseUrl !== undefined) set('base_url', normalizeUrl(patch.baseUrl));
    if (patch.environment !== undefined) set('environment', patch.environment);
    if (patch.color !== undefined) set('color', patch.color);
    if (patch.syncEnabled !== undefined) set('sync_enabled', patch.syncEnabled ? 1 : 0);
    if (patch.apiKey !== undefined) {
      set('api_key_sealed', box.encrypt(patch.apiKey.trim()));
      set('api_key_last4', last4(patch.apiKey));
      set('secret_kind', box.kind);
    }
    set('updated_at_ms', now());
    // The audit log names what changed; a new key is recorded as "replaced", never its value.
    const { apiKey, ...visible } = patch;
    const changed = apiKey === undefined ? visible : { ...visible, apiKey: 'replaced' };
    try {
      return ctx.store.write((announce) => {
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
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `An instance named "${patch.name}" exists already: choose another name.`);
      throw error;
    }
  }

  /** Removes the profile with its synced workflows, sync log and synced executions. */
  function remove(id: string): { id: string } {
    const row = require(id);
    return ctx.store.write((announce) => {
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
    });
  }

  /** The decrypted key, for the n8n client only. */
  function apiKeyOf(id: string): string {
    const row = require(id);
    try {
      return box.decrypt(row.api_key_sealed);
    } catch {
      throw new AppError(
        'UNAVAILABLE',
        row.secret_kind === box.kind
          ? `The API key of "${row.name}" cannot be decrypted (the key file changed?). Enter the key again in the instance.`
          : `The API key of "${row.name}" was sealed by ${row.secret_kind}, which this Flightdeck does not use (${box.kind}). Enter the key again here, or open the app that saved it.`,
      );
    }
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
    add,
    update,
    remove,
    apiKeyOf,
    updateSyncState,
    /** Listens to sync outcomes (ok / offline), inside the transaction that records them. */
    onSyncState(listener: (announce: Announce, id: string, state: SyncState['state'], error: string | null) => void) {
      syncListeners.add(listener);
      return () => void syncListeners.delete(listener);
    },
  };
}

export type InstancesService = ReturnType<typeof createInstancesService>;
