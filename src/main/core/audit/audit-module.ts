import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { createAuditLog, type AuditLog } from './audit-log';

export function createAuditModule(ctx: CoreContext): FeatureModule<'audit'> & { log: AuditLog } {
  const log = createAuditLog(ctx.store, () => ctx.clock.now());
  return {
    log,
    handlers: {
      'audit:list': (query) => log.list(query),
      'audit:verify': () => log.verify(),
      'audit:kinds': () => log.kinds(),
    },
  };
}
