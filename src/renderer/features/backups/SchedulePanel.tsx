import { useEffect, useState } from 'react';
import type { BackupSchedule } from '../../../shared/contract';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';

const HOUR = 3_600_000;

/** Automatic backups: interval (hours), folder, how many to keep. */
export function SchedulePanel({ defaultFolder }: { defaultFolder: string }) {
  // data undefined: not loaded yet; null: no schedule saved. Kept fresh by backups:changed.
  const query = useCall('backups:scheduleGet', {});
  const state = query.data;
  const save = useAction('backups:scheduleSet');
  const [form, setForm] = useState<BackupSchedule | null>(null);
  useEffect(() => {
    if (form || state === undefined || !defaultFolder) return;
    setForm(
      state
        ? {
            enabled: state.enabled,
            intervalMs: state.intervalMs,
            folder: state.folder,
            keep: state.keep,
            includeExecutions: state.includeExecutions,
          }
        : { enabled: false, intervalMs: 24 * HOUR, folder: `${defaultFolder}/auto`, keep: 7, includeExecutions: false },
    );
  }, [state, form, defaultFolder]);
  if (query.isError)
    return <LoadError what="the backup schedule" error={query.error} retry={() => void query.refetch()} />;
  if (!form) return null;
  const hours = form.intervalMs / HOUR;
  const invalid = !(hours >= 0.25 && hours <= 720) || !form.folder.trim() || !(form.keep >= 1 && form.keep <= 1000);

  return (
    <fieldset className="editor" data-testid="b-schedule">
      <legend>Automatic backups</legend>
      <label>
        <input
          type="checkbox"
          checked={form.enabled}
          onChange={(e) => setForm({ ...form, enabled: e.target.checked })}
          data-testid="b-schedule-enabled"
        />{' '}
        Back up automatically (without a passphrase: secrets are left out)
      </label>
      <div className="grid2">
        <label className="field">
          Every (hours)
          <input
            type="number"
            min={0.25}
            max={720}
            step={0.25}
            value={hours}
            onChange={(e) => setForm({ ...form, intervalMs: Math.round(Number(e.target.value) * HOUR) })}
            data-testid="b-schedule-hours"
          />
        </label>
        <label className="field">
          Keep the newest
          <input
            type="number"
            min={1}
            max={1000}
            value={form.keep}
            onChange={(e) => setForm({ ...form, keep: Number(e.target.value) })}
            data-testid="b-schedule-keep"
          />
        </label>
      </div>
      <label className="field">
        Folder
        <input
          value={form.folder}
          onChange={(e) => setForm({ ...form, folder: e.target.value })}
          data-testid="b-schedule-folder"
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={form.includeExecutions}
          onChange={(e) => setForm({ ...form, includeExecutions: e.target.checked })}
        />{' '}
        Include execution history
      </label>
      <div className="row">
        <CanButton
          channel="backups:scheduleSet"
          type="button"
          className="primary"
          disabled={invalid || save.isPending}
          onClick={() => save.mutate({ schedule: form })}
          data-testid="b-schedule-save"
        >
          Save schedule
        </CanButton>
        {state && (
          <span className="muted" data-testid="b-schedule-state">
            {state.enabled && state.nextRunAtMs ? `Next: ${new Date(state.nextRunAtMs).toLocaleString()}. ` : 'Off. '}
            {state.lastRunAtMs
              ? `Last: ${new Date(state.lastRunAtMs).toLocaleString()} — ${state.lastResult ?? ''}`
              : 'Never run yet.'}
          </span>
        )}
      </div>
    </fieldset>
  );
}
