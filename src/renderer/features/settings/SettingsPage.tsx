import { useEffect, useState } from 'react';
import { settingsPatchSchema, type Settings, type Theme } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { IngestInfo } from './IngestInfo';

const THEMES: { value: Theme; label: string }[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Settings: changes apply at once (theme) or on Save (text fields), and reach every window. */
export function SettingsPage() {
  const settings = useApp((s) => s.settings);
  return settings ? (
    <>
      <SettingsForm settings={settings} />
      <IngestInfo />
    </>
  ) : null;
}

function SettingsForm({ settings }: { settings: Settings }) {
  const updateSettings = useApp((s) => s.updateSettings);
  const [retention, setRetention] = useState(String(settings.retentionDays));
  const [operator, setOperator] = useState(settings.operatorName);
  const [saved, setSaved] = useState(false);

  // Another window may change settings: follow it unless this form holds unsaved edits.
  useEffect(() => setRetention(String(settings.retentionDays)), [settings.retentionDays]);
  useEffect(() => setOperator(settings.operatorName), [settings.operatorName]);

  const draft = settingsPatchSchema.safeParse({ retentionDays: Number(retention), operatorName: operator });
  const fieldError = (field: string) =>
    draft.success ? undefined : draft.error.issues.find((i) => i.path[0] === field)?.message;
  const dirty = retention !== String(settings.retentionDays) || operator !== settings.operatorName;

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!draft.success) return;
    await updateSettings(draft.data);
    setSaved(true);
    setTimeout(() => setSaved(false), 2000);
  };

  return (
    <section className="page" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form className="form" onSubmit={(e) => void save(e)}>
        <label className="field">
          <span>Data directory</span>
          <output data-testid="data-dir">{settings.dataDir}</output>
          <small className="muted">Chosen at start (FLIGHTDECK_DATA_DIR or --data-dir).</small>
        </label>

        <fieldset className="field">
          <legend>Theme</legend>
          {THEMES.map((t) => (
            <label key={t.value} className="radio">
              <input
                type="radio"
                name="theme"
                value={t.value}
                checked={settings.theme === t.value}
                onChange={() => void updateSettings({ theme: t.value })}
                data-testid={`theme-${t.value}`}
              />
              {t.label}
            </label>
          ))}
        </fieldset>

        <label className="field">
          <span>Keep history for (days)</span>
          <input
            type="number"
            min={1}
            max={3650}
            value={retention}
            onChange={(e) => setRetention(e.target.value)}
            aria-invalid={Boolean(fieldError('retentionDays'))}
            data-testid="retention-days"
          />
          {fieldError('retentionDays') && <small className="invalid">{fieldError('retentionDays')}</small>}
        </label>

        <label className="field">
          <span>Operator name (shown in the audit log)</span>
          <input
            value={operator}
            onChange={(e) => setOperator(e.target.value)}
            aria-invalid={Boolean(fieldError('operatorName'))}
            data-testid="operator-name"
          />
          {fieldError('operatorName') && <small className="invalid">{fieldError('operatorName')}</small>}
        </label>

        <div className="actions">
          <button type="submit" className="primary" disabled={!dirty || !draft.success} data-testid="save-settings">
            Save
          </button>
          {saved && (
            <span role="status" className="muted">
              Saved.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
