import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { KITS } from './kits';
import { createTemplateInstaller, type InstallerDeps, type TemplateInstaller } from './template-installer';

/** Starter templates: `templates:list` and `templates:install` over the kits in ./kits. */
export function createTemplatesModule(
  ctx: CoreContext,
  audit: AuditLog,
  deps: Omit<InstallerDeps, 'kits'> & { kits?: InstallerDeps['kits'] },
): FeatureModule<'templates'> & { installer: TemplateInstaller } {
  const installer = createTemplateInstaller(ctx, audit, { kits: KITS, ...deps });
  return {
    installer,
    handlers: {
      'templates:list': () => ({ templates: installer.list() }),
      'templates:install': ({ templateId, instanceId, values, activate, dryRun }) =>
        installer.install({ templateId, instanceId, values, activate, dryRun }),
    },
  };
}
