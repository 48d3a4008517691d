import type { ScheduleDraftInput, ScheduleTick } from '../../../shared/contract';
import { scheduleDraftSchema } from '../../../shared/contract';
import { createAuditLog } from '../audit/audit-log';
import { ManualClock } from './manual-clock';
import { migrations } from '../db/migrations';
import { openStore, type Store } from '../db/store';
import { EventBus } from '../events';
import { silentLogger } from '../logger';
import type { Emit, EmitRequest } from '../ports';
import { createSchedulesModule, type SchedulesModuleOptions } from '../scheduler/schedules-module';

/**
 * An Emit that behaves like the dispatch pipeline will: it inserts one queued local execution
 * per call into the shared executions table, inside the caller's transaction, so a rollback
 * removes it. `requests` records what was emitted (only once the enclosing write commits).
 */
export function tableEmit(store: Store): Emit & { requests: EmitRequest[] } {
  const insert = store.db.prepare(
    `INSERT INTO executions (source, status, mapping_id, created_at_ms, updated_at_ms)
     VALUES ('local', 'queued', ?, 0, 0)`,
  );
  const insertBody = store.db.prepare('INSERT INTO execution_bodies (id, payload_json) VALUES (?, ?)');
  const requests: EmitRequest[] = [];
  return Object.assign(
    (request: EmitRequest) => {
      const id = Number(insert.run(request.idempotencyKey ?? null).lastInsertRowid);
      insertBody.run(id, JSON.stringify(request.payload));
      requests.push(request);
      return { executionIds: [id], deduplicated: false };
    },
    { requests },
  );
}

/** Sets the status of local executions (to finish or restart a run in a test). */
export function setExecutionStatus(store: Store, status: string, ids?: number[]): void {
  if (ids) for (const id of ids) store.db.prepare('UPDATE executions SET status = ? WHERE id = ?').run(status, id);
  else store.db.prepare('UPDATE executions SET status = ?').run(status);
}

/** Executions the table emit created and that survived (committed), in order. */
export function emittedKeys(store: Store): string[] {
  return store.db.prepare('SELECT mapping_id FROM executions ORDER BY id').pluck().all() as string[];
}

/** A scheduler on a real SQLite file with a manual clock, its timer off: tests call runDue. */
export function openScheduler(
  dataDir: string,
  clock: ManualClock,
  options: Omit<Partial<SchedulesModuleOptions>, 'emit'> & { emit?: (store: Store) => Emit } = {},
) {
  const bus = new EventBus();
  const store = openStore({ dataDir, bus, migrations, now: () => clock.now() });
  const audit = createAuditLog(store, () => clock.now());
  const inner = options.emit ? options.emit(store) : tableEmit(store);
  const requests: EmitRequest[] = [];
  const emit: Emit & { requests: EmitRequest[] } = Object.assign(
    (request: EmitRequest) => {
      const result = inner(request);
      requests.push(request);
      return result;
    },
    { requests },
  );
  const module = createSchedulesModule({ store, clock, logger: silentLogger, dataDir, operator: () => 'ada' }, audit, {
    timer: false,
    ...options,
    emit,
  });
  const events: { event: string; payload: unknown }[] = [];
  bus.subscribe((event, payload) => events.push({ event, payload }));
  return {
    store,
    audit,
    emit,
    events,
    service: module.service,
    engine: module.engine,
    module,
    runDue: () => module.engine.runDue(clock.now()),
    /** The whole ledger of a schedule, oldest first (paging through it as the UI does). */
    ledger(id: number) {
      const all: ScheduleTick[] = [];
      let before: { tickMs: number; id: number } | undefined;
      for (;;) {
        const page = module.service.ticks({ id, limit: 500, ...(before ? { before } : {}) });
        all.push(...page.ticks);
        if (!page.next) return all.reverse();
        before = page.next;
      }
    },
    create: (draft: ScheduleDraftInput) => module.service.create(scheduleDraftSchema.parse(draft)),
    close() {
      void module.stop?.();
      store.close();
    },
  };
}

export { ManualClock };
