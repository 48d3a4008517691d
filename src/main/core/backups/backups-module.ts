import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { N8nWorkflowsPort } from '../drafts/n8n-port';
import type { FeatureModule } from '../handlers';
import { createBackupSchedule, type BackupScheduleService } from './backup-schedule';
import type { RestoreLimits } from './backup-reader';
import type { InstanceKeyCheck } from './backup-restore';
import { createBackupService, type BackupService } from './backup-service';
import { createSnapshots } from './n8n-snapshots';

/** How often the automatic-backup schedule is looked at, ms (due times use the injected clock). */
export const SCHEDULE_CHECK_MS = 60_000;

export function createBackupsModule(
  ctx: CoreContext,
  audit: AuditLog,
  deps: {
    port: N8nWorkflowsPort;
    appVersion: string;
    /** Whether a key carried by a backup opens here (for the restore preview). */
    keys?: InstanceKeyCheck;
    /** After a restore commits: every area's `restored` hook (see Lifecycle). */
    afterRestore?: () => Promise<void>;
    /** What one restore may read (tests lower it). */
    restoreLimits?: Partial<RestoreLimits>;
  },
): FeatureModule<'backups'> & { service: BackupService; schedule: BackupScheduleService } {
  // The schedule's folder is read from its table, so the service can list it before the schedule exists.
  const scheduleFolder = () =>
    (ctx.store.db.prepare('SELECT folder FROM backup_schedule WHERE id = 1').pluck().get() as string | undefined) ??
    null;
  const service = createBackupService(ctx, audit, {
    port: deps.port,
    appVersion: deps.appVersion,
    ...(deps.keys ? { keys: deps.keys } : {}),
    ...(deps.afterRestore ? { afterRestore: deps.afterRestore } : {}),
    ...(deps.restoreLimits ? { restoreLimits: deps.restoreLimits } : {}),
    extraFolders: () => {
      const folder = scheduleFolder();
      return folder ? [folder] : [];
    },
  });
  const scheduled = createBackupSchedule(ctx, audit, service);
  const snapshots = createSnapshots(ctx, audit, deps.port);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    service,
    schedule: scheduled,
    handlers: {
      'backups:list': () => service.list(),
      'backups:export': ({ includeExecutions, includeRemote, passphrase, operationId }) =>
        service.export({
          includeExecutions,
          includeRemote,
          ...(passphrase ? { passphrase } : {}),
          ...(operationId ? { operationId } : {}),
        }),
      'backups:read': ({ path, offset, length }) => service.read(path, offset, length),
      'backups:upload': ({ uploadId, offset, dataBase64 }) => service.upload(uploadId, offset, dataBase64),
      'backups:inspect': ({ source, passphrase, operationId }) => service.inspect(source, passphrase, operationId),
      'backups:restore': ({ restoreId }) => service.restore(restoreId),
      'backups:discard': ({ restoreId }) => service.discard(restoreId),
      'backups:scheduleGet': () => scheduled.get(),
      'backups:scheduleSet': ({ schedule: s }) => scheduled.set(s),
      'backups:snapshotTake': ({ instanceId, label }) => snapshots.take(instanceId, label),
      'backups:snapshots': ({ instanceId }) => snapshots.list(instanceId),
      'backups:snapshotRestore': ({ snapshotId, targetInstanceId, version }) =>
        snapshots.restoreInto(snapshotId, targetInstanceId, version),
    },
    start() {
      timer = setInterval(() => {
        running = running.then(() => scheduled.runDue()).catch(() => undefined);
      }, SCHEDULE_CHECK_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
      service.dispose();
    },
  };
}
