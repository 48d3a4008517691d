import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { createSettingsService, type SettingsService } from './settings-service';

export function createSettingsModule(
  ctx: CoreContext,
  audit: AuditLog,
): FeatureModule<'settings'> & { service: SettingsService } {
  const service = createSettingsService(
    ctx.store,
    ctx.dataDir,
    () => ctx.clock.now(),
    ctx.logger,
    audit,
    () => ctx.operator(),
  );
  return {
    service,
    handlers: {
      'settings:get': () => service.get(),
      'settings:update': ({ patch }) => service.update(patch),
    },
    // Settings are read from the store on every call: windows only need the restored values.
    restored: () => ctx.store.write((announce) => announce('settings:changed', service.get())),
  };
}
