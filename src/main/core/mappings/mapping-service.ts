import { randomUUID } from 'node:crypto';
import {
  mappingInputSchema,
  mappingsDocumentSchema,
  type Mapping,
  type MappingFields,
  type MappingsDocument,
  type RequestPreview,
} from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { buildWebhookRequest } from '../dispatch/webhook-request';
import { describeIssues } from '../invoke';
import { allConditionsHold, conditionHolds, describeCondition } from './conditions';
import { applyTransform } from './transform';

export interface MappingDeps {
  /** Base URL of an instance (`http://127.0.0.1:5678`), or null when there is no such instance. */
  instanceBaseUrl(instanceId: string): string | null;
  /**
   * Hands a mapping's concurrency and rate limit to the queue (null when removed); called inside
   * the transaction that saves the mapping, so the queue never runs on stale limits.
   */
  applyLimits?(
    mappingId: string,
    limits: { concurrency: number | null; rate: { max: number; windowMs: number } | null } | null,
  ): void;
}

interface MappingRow {
  id: string;
  config_json: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export function createMappingService(ctx: CoreContext, audit: AuditLog, deps: MappingDeps) {
  const { db } = ctx.store;
  const selectAll = db.prepare('SELECT id, config_json, created_at_ms, updated_at_ms FROM mappings ORDER BY event, id');
  const selectOne = db.prepare('SELECT id, config_json, created_at_ms, updated_at_ms FROM mappings WHERE id = ?');
  const selectByEvent = db.prepare(
    'SELECT id, config_json, created_at_ms, updated_at_ms FROM mappings WHERE event = ? AND active = 1 ORDER BY id',
  );
  const upsert =
    db.prepare(`INSERT INTO mappings (id, event, instance_id, active, config_json, created_at_ms, updated_at_ms)
    VALUES (@id, @event, @instance_id, @active, @config_json, @now, @now)
    ON CONFLICT(id) DO UPDATE SET event = excluded.event, instance_id = excluded.instance_id,
      active = excluded.active, config_json = excluded.config_json, updated_at_ms = excluded.updated_at_ms`);
  const del = db.prepare('DELETE FROM mappings WHERE id = ?');

  /**
   * The active mappings of each event, read and validated once, not per event: the door asks
   * for them on every request. Only this service writes mappings (and a restore, which calls
   * forgetCached); every write forgets the cache before and after, so neither a rollback nor a
   * read inside the write's transaction leaves a stale entry. A stored row that does not parse
   * is remembered as that error and reported on every use, as before.
   */
  const activeByEvent = new Map<string, { count: number; mappings: Mapping[] | AppError }>();
  function active(event: string) {
    let cached = activeByEvent.get(event);
    if (cached === undefined) {
      const rows = selectByEvent.all(event) as MappingRow[];
      let mappings: Mapping[] | AppError;
      try {
        mappings = rows.map(toMapping);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        mappings = error;
      }
      cached = { count: rows.length, mappings };
      // Events nobody listens for are remembered too (a door's 404s); a bound keeps that small.
      if (activeByEvent.size >= 10_000) activeByEvent.clear();
      activeByEvent.set(event, cached);
    }
    return cached;
  }
  function forgetActive<T>(write: () => T): T {
    activeByEvent.clear();
    try {
      return write();
    } finally {
      activeByEvent.clear();
    }
  }

  /** Stored rows are re-validated: a row that no longer parses is reported, never trusted. */
  function toMapping(row: MappingRow): Mapping {
    const parsed = mappingInputSchema.safeParse(JSON.parse(row.config_json));
    if (!parsed.success) {
      throw new AppError('INTERNAL', `Mapping ${row.id} is stored in a shape this version cannot read; re-import it.`);
    }
    return { ...parsed.data, id: row.id, createdAtMs: row.created_at_ms, updatedAtMs: row.updated_at_ms };
  }

  function get(id: string): Mapping {
    const row = selectOne.get(id) as MappingRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No mapping with id ${id}; it may have been removed.`);
    return toMapping(row);
  }

  function checkInstance(fields: MappingFields): string {
    const baseUrl = deps.instanceBaseUrl(fields.instanceId);
    if (!baseUrl) {
      throw new AppError('VALIDATION', `Unknown instance ${fields.instanceId}: add it under Instances first.`);
    }
    return baseUrl;
  }

  function write(id: string, fields: MappingFields): void {
    upsert.run({
      id,
      event: fields.event,
      instance_id: fields.instanceId,
      active: fields.active ? 1 : 0,
      config_json: JSON.stringify({ ...fields, name: fields.name || fields.event }),
      now: ctx.clock.now(),
    });
    deps.applyLimits?.(id, {
      concurrency: fields.concurrency,
      rate: fields.rateLimit ? { max: fields.rateLimit.max, windowMs: fields.rateLimit.perMs } : null,
    });
  }

  function save(id: string | null, fields: MappingFields): Mapping {
    checkInstance(fields);
    const mappingId = id ?? randomUUID();
    if (id) get(id); // NOT_FOUND before anything is written
    forgetActive(() =>
      ctx.store.write((announce) => {
        write(mappingId, fields);
        audit.record(announce, {
          actor: ctx.operator(),
          action: id ? 'mapping.update' : 'mapping.create',
          targetType: 'mapping',
          targetId: mappingId,
          details: { event: fields.event, instanceId: fields.instanceId, webhookPath: fields.webhookPath },
        });
        announce('mappings:changed', { ids: [mappingId] });
      }),
    );
    return get(mappingId);
  }

  function remove(id: string): { removed: boolean } {
    const existing = get(id);
    forgetActive(() =>
      ctx.store.write((announce) => {
        del.run(id);
        deps.applyLimits?.(id, null);
        audit.record(announce, {
          actor: ctx.operator(),
          action: 'mapping.remove',
          targetType: 'mapping',
          targetId: id,
          details: { event: existing.event },
        });
        announce('mappings:changed', { ids: [id] });
      }),
    );
    return { removed: true };
  }

  /**
   * The request a run of this mapping sends (the dispatcher's own builder): for a preview without
   * a run, `executionId` is null and the execution-id header holds a placeholder. `event` is the
   * emitted event's name (the mapping's own event unless a caller says otherwise).
   */
  function requestFor(
    fields: MappingFields,
    payload: unknown,
    executionId: number | null = null,
    event: string = fields.event,
  ): RequestPreview {
    return buildWebhookRequest({
      baseUrl: checkInstance(fields),
      webhookPath: fields.webhookPath,
      event,
      executionId,
      body: applyTransform(fields.transform, payload),
    });
  }

  function preview(fields: MappingFields, payload: unknown) {
    return {
      matches: allConditionsHold(fields.conditions, payload),
      conditionResults: fields.conditions.map((c) => ({
        condition: describeCondition(c),
        passed: conditionHolds(c, payload),
      })),
      request: requestFor(fields, payload),
    };
  }

  function exportDocument(ids?: string[]): MappingsDocument {
    const all = (selectAll.all() as MappingRow[]).map(toMapping).filter((m) => !ids || ids.includes(m.id));
    return {
      kind: 'flightdeck.mappings',
      version: 1,
      exportedAtMs: ctx.clock.now(),
      mappings: all.map(({ createdAtMs: _c, updatedAtMs: _u, ...fields }) => fields),
    };
  }

  /** Validates the whole document first; applies all of it in one transaction, or nothing. */
  function importDocument(document: unknown, dryRun: boolean) {
    const parsed = mappingsDocumentSchema.safeParse(document);
    if (!parsed.success) throw new AppError('VALIDATION', describeIssues('the mappings file', parsed.error));
    const plan = parsed.data.mappings.map(({ id, ...fields }) => {
      checkInstance(fields);
      const existing = id ? (selectOne.get(id) as MappingRow | undefined) : undefined;
      const same =
        existing &&
        JSON.stringify(mappingInputSchema.parse(JSON.parse(existing.config_json))) ===
          JSON.stringify({ ...fields, name: fields.name || fields.event });
      return { id: id ?? randomUUID(), fields, kind: !existing ? 'added' : same ? 'unchanged' : 'updated' } as const;
    });
    const count = (kind: string) => plan.filter((p) => p.kind === kind).length;
    const summary = { added: count('added'), updated: count('updated'), unchanged: count('unchanged'), dryRun };
    if (dryRun) return summary;
    forgetActive(() =>
      ctx.store.write((announce) => {
        const changed = plan.filter((p) => p.kind !== 'unchanged');
        for (const p of changed) write(p.id, p.fields);
        audit.record(announce, {
          actor: ctx.operator(),
          action: 'mapping.import',
          targetType: 'mapping',
          details: { added: summary.added, updated: summary.updated },
        });
        announce('mappings:changed', { ids: changed.map((p) => p.id) });
      }),
    );
    return summary;
  }

  /** Active mappings of an event whose conditions hold for this payload. */
  function matching(event: string, payload: unknown): Mapping[] {
    const { mappings } = active(event);
    if (mappings instanceof AppError) throw mappings;
    return mappings.filter((m) => allConditionsHold(m.conditions, payload));
  }

  return {
    /** Whether any active mapping listens for this event (before conditions). */
    hasActive: (event: string) => active(event).count > 0,
    /** Drops the cached mappings: the table was changed behind this service (a restore). */
    forgetCached: () => activeByEvent.clear(),
    list: () => (selectAll.all() as MappingRow[]).map(toMapping),
    get,
    create: (fields: MappingFields) => save(null, fields),
    update: (id: string, fields: MappingFields) => save(id, fields),
    remove,
    preview,
    requestFor,
    exportDocument,
    importDocument,
    matching,
  };
}

export type MappingService = ReturnType<typeof createMappingService>;
