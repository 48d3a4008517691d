import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { createMappingService, type MappingDeps, type MappingService } from './mapping-service';
import { createRouteCheck } from './route-check';

export function createMappingsModule(
  ctx: CoreContext,
  audit: AuditLog,
  deps: MappingDeps,
): FeatureModule<'mappings'> & { service: MappingService } {
  const service = createMappingService(ctx, audit, deps);
  const checkRoute = createRouteCheck(ctx.store.db);
  return {
    service,
    handlers: {
      'mappings:list': () => service.list(),
      'mappings:get': ({ id }) => service.get(id),
      'mappings:create': ({ mapping }) => service.create(mapping),
      'mappings:update': ({ id, mapping }) => service.update(id, mapping),
      'mappings:remove': ({ id }) => service.remove(id),
      'mappings:preview': ({ mapping, payload }) => service.preview(mapping, payload),
      'mappings:checkRoute': (input) => checkRoute(input),
      'mappings:export': ({ ids }) => service.exportDocument(ids),
      'mappings:import': ({ document, dryRun }) => service.importDocument(document, dryRun),
    },
    // The service's cache of active mappings is dropped (the queue's limits are restored with the rows); windows refetch.
    restored: () => {
      service.forgetCached();
      ctx.store.write((announce) => announce('mappings:changed', { ids: [] }));
    },
  };
}
