import type { EventPayload } from '../../../shared/contract';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import type { Clients } from './clients';
import { createExecutionsReader } from './executions-reader';
import { createWorkflowsService } from './workflows-service';
import { createWorkflowDefinitions } from './workflow-definition';

/** Workflows across instances (synced copies) and their activation. */
export function createWorkflowsModule(ctx: CoreContext, audit: AuditLog, clients: Clients): FeatureModule<'workflows'> {
  const service = createWorkflowsService(ctx, audit, clients, createExecutionsReader(ctx, clients));
  const definitions = createWorkflowDefinitions(ctx, clients);
  return {
    handlers: {
      'workflows:list': (query) => service.list(query),
      'workflows:get': (query) => service.get(query),
      'workflows:definition': (query) => definitions.definition(query),
      'workflows:nodeTypes': (query) => definitions.nodeTypes(query),
      'workflows:setActive': (input) => service.setActive(input),
    },
    restored() {
      const ids = ctx.store.db.prepare('SELECT id FROM instances').pluck().all() as string[];
      ctx.store.write((announce) => ids.forEach((instanceId) => announce('workflows:changed', { instanceId })));
    },
  };
}

/** Most rows one executions:rows event carries (a large burst goes out in several). */
const ROWS_PER_EVENT = 200;

/**
 * The read side of executions (list, detail); the dispatch pipeline adds actions later. It also
 * follows executions:changed and pushes the changed rows as executions:rows, so an open list
 * shows a new run without asking again. Ids announced in the same turn share one read.
 */
export function createExecutionsModule(ctx: CoreContext, clients: Clients): FeatureModule<'executions'> {
  const reader = createExecutionsReader(ctx, clients);
  const pending = new Set<number>();
  let due: ReturnType<typeof setImmediate> | undefined;
  let stopped = false;
  const push = () => {
    due = undefined;
    if (stopped || pending.size === 0) return;
    const ids = [...pending];
    pending.clear();
    try {
      const rows = reader.byIds(ids);
      if (rows.length === 0) return; // removed meanwhile (retention, an instance removed)
      ctx.store.write((announce) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_EVENT)
          announce('executions:rows', { rows: rows.slice(i, i + ROWS_PER_EVENT) });
      });
    } catch (error) {
      // Not fatal: an open list shows these rows at its next reload (a filter, a sync, a reconnect).
      ctx.logger.warn('Could not push changed executions to open lists', { error });
    }
  };
  return {
    handlers: {
      'executions:list': (query) => reader.list(query),
      'executions:get': ({ id }) => reader.get(id),
    },
    restored: () => ctx.store.write((announce) => announce('executions:changed', { ids: [] })),
    follow(event, payload) {
      if (event !== 'executions:changed' || stopped) return;
      for (const id of (payload as EventPayload<'executions:changed'>).ids) pending.add(id);
      if (pending.size > 0) due ??= setImmediate(push);
    },
    stop() {
      stopped = true;
      if (due) clearImmediate(due);
    },
  };
}
