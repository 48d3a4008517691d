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

/** The read side of executions (list, detail); the dispatch pipeline adds actions later. */
export function createExecutionsModule(ctx: CoreContext, clients: Clients): FeatureModule<'executions'> {
  const reader = createExecutionsReader(ctx, clients);
  return {
    handlers: {
      'executions:list': (query) => reader.list(query),
      'executions:get': ({ id }) => reader.get(id),
    },
    restored: () => ctx.store.write((announce) => announce('executions:changed', { ids: [] })),
  };
}
