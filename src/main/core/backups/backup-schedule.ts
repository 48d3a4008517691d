import type { BackupSchedule } from '../../../shared/contract/backups';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { BackupService } from './backup-service';

interface ScheduleRow {
  enabled: number;
  interval_ms: number;
  folder: string;
  keep: number;
  include_executions: number;
  last_run_at_ms: number | null;
  last_result_json: string | null;
  updated_at_ms: number;
}

/** Automatic backups: due `intervalMs` after the last run (or after the schedule was saved). */
export function createBackupSchedule(ctx: CoreContext, audit: AuditLog, backups: BackupService) {
  const { db } = ctx.store;
  const select = db.prepare('SELECT * FROM backup_schedule WHERE id = 1');
  const upsert =
    db.prepare(`INSERT INTO backup_schedule (id, enabled, interval_ms, folder, keep, include_executions, updated_at_ms)
    VALUES (1, @enabled, @interval_ms, @folder, @keep, @include_executions, @now)
    ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, interval_ms = excluded.interval_ms, folder = excluded.folder,
      keep = excluded.keep, include_executions = excluded.include_executions, updated_at_ms = excluded.updated_at_ms`);
  const recordRun = db.prepare('UPDATE backup_schedule SET last_run_at_ms = ?, last_result_json = ? WHERE id = 1');

  const row = () => select.get() as ScheduleRow | undefined;

  function get() {
    const r = row();
    if (!r) return null;
    return {
      enabled: r.enabled === 1,
      intervalMs: r.interval_ms,
      folder: r.folder,
      keep: r.keep,
      includeExecutions: r.include_executions === 1,
      lastRunAtMs: r.last_run_at_ms,
      lastResult: r.last_result_json ? (JSON.parse(r.last_result_json) as string) : null,
      nextRunAtMs: r.enabled === 1 ? (r.last_run_at_ms ?? r.updated_at_ms) + r.interval_ms : null,
    };
  }

  function set(schedule: BackupSchedule) {
    ctx.store.write((announce) => {
      upsert.run({
        enabled: schedule.enabled ? 1 : 0,
        interval_ms: schedule.intervalMs,
        folder: schedule.folder,
        keep: schedule.keep,
        include_executions: schedule.includeExecutions ? 1 : 0,
        now: ctx.clock.now(),
      });
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'backup.schedule',
        targetType: 'backup',
        details: { ...schedule },
      });
      announce('backups:changed', { reason: 'schedule' });
    });
    return get()!;
  }

  /** Runs the automatic backup when due, then prunes. Returns the file written, if any. */
  async function runDue(): Promise<string | null> {
    const state = get();
    if (!state?.enabled || state.nextRunAtMs === null || ctx.clock.now() < state.nextRunAtMs) return null;
    let result: string;
    let file: string | null = null;
    try {
      const out = await backups.exportTo(state.folder, {
        includeExecutions: state.includeExecutions,
        includeRemote: true,
        auto: true,
      });
      file = out.file.path;
      const pruned = await backups.prune(state.folder, state.keep);
      result = `ok: ${out.file.name}${pruned ? ` (${pruned} older removed)` : ''}`;
    } catch (error) {
      result = `failed: ${(error as Error).message}`;
      ctx.logger.error('Automatic backup failed', { error: (error as Error).message });
    }
    ctx.store.write((announce) => {
      recordRun.run(ctx.clock.now(), JSON.stringify(result));
      announce('backups:changed', { reason: 'retention' });
    });
    return file;
  }

  return { get, set, runDue, folder: () => row()?.folder ?? null };
}

export type BackupScheduleService = ReturnType<typeof createBackupSchedule>;
