import { useEffect, useMemo, useState } from 'react';
import type { Schedule, ScheduleDraftInput, ScheduleTiming } from '../../../shared/contract';
import { scheduleDraftSchema } from '../../../shared/contract';
import { send, sendCatch } from '../../api/client';
import { isTimeZone, operatorZone } from './schedules-store';
import { TimeInZones } from './TimeInZones';

type Kind = ScheduleTiming['kind'];

/** The form's own state: strings as typed, turned into a draft on every change. */
interface Form {
  name: string;
  event: string;
  payload: string;
  kind: Kind;
  expression: string;
  everyMinutes: string;
  at: string;
  timeZone: string;
  jitterSeconds: string;
  overlap: 'skip' | 'buffer' | 'allow';
  misfire: 'skip' | 'run_once' | 'run_each';
  maxRuns: string;
  windowHours: string;
}

function formOf(schedule: Schedule | null): Form {
  const t = schedule?.timing;
  return {
    name: schedule?.name ?? '',
    event: schedule?.event ?? '',
    payload: JSON.stringify(schedule?.payload ?? {}, null, 2),
    kind: t?.kind ?? 'cron',
    expression: t?.kind === 'cron' ? t.expression : '0 9 * * 1-5',
    everyMinutes: t?.kind === 'interval' ? String(t.everyMs / 60_000) : '15',
    at: t?.kind === 'once' ? t.at : '',
    timeZone: t?.timeZone ?? operatorZone,
    jitterSeconds: String(schedule?.jitterSeconds ?? 0),
    overlap: schedule?.overlap ?? 'skip',
    misfire: schedule?.misfire.policy ?? 'run_once',
    maxRuns: String(schedule?.misfire.maxRuns ?? 10),
    windowHours: String((schedule?.misfire.windowMs ?? 86_400_000) / 3_600_000),
  };
}

function timingOf(f: Form): ScheduleTiming {
  if (f.kind === 'cron') return { kind: 'cron', expression: f.expression, timeZone: f.timeZone };
  if (f.kind === 'interval')
    return { kind: 'interval', everyMs: Math.round(Number(f.everyMinutes) * 60_000), timeZone: f.timeZone };
  return { kind: 'once', at: f.at, timeZone: f.timeZone };
}

function draftOf(f: Form): { draft?: ScheduleDraftInput; error?: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(f.payload || '{}');
  } catch {
    return { error: 'payload: not valid JSON' };
  }
  const draft = {
    name: f.name,
    event: f.event,
    payload,
    timing: timingOf(f),
    jitterSeconds: Number(f.jitterSeconds),
    overlap: f.overlap,
    misfire: { policy: f.misfire, maxRuns: Number(f.maxRuns), windowMs: Math.round(Number(f.windowHours) * 3_600_000) },
  };
  const parsed = scheduleDraftSchema.safeParse(draft);
  if (parsed.success) return { draft: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: issue ? `${issue.path.join('.')}: ${issue.message}` : 'Check the form' };
}

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

/** Create or edit a schedule, with the next 10 runs previewed by the core as you type. */
export function ScheduleEditor({ schedule, onDone }: { schedule: Schedule | null; onDone: () => void }) {
  const [form, setForm] = useState<Form>(() => formOf(schedule));
  const [preview, setPreview] = useState<{ runs: number[]; zone: string; error?: string }>({
    runs: [],
    zone: operatorZone,
  });
  const [saving, setSaving] = useState(false);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const { draft, error } = useMemo(() => draftOf(form), [form]);
  const timing = useMemo(() => timingOf(form), [form]);

  const zoneKnown = isTimeZone(form.timeZone);
  useEffect(() => {
    // No preview for a zone Intl does not know (yet): "Asia/T" on the way to "Asia/Tokyo".
    if (!isTimeZone(timing.timeZone)) return;
    let current = true;
    const timer = setTimeout(() => {
      void sendCatch('schedules:preview', { timing }).then((result) => {
        if (!current) return;
        setPreview(
          result.ok
            ? { runs: result.data.runs, zone: timing.timeZone }
            : { runs: [], zone: timing.timeZone, error: result.error.message },
        );
      });
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [timing]);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setSaving(true);
    try {
      if (schedule) await send('schedules:update', { id: schedule.id, draft });
      else await send('schedules:create', { draft });
      onDone();
    } catch {
      // The error tray shows what the core said; the form keeps the operator's input.
    } finally {
      setSaving(false);
    }
  };

  const text = (key: keyof Form, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className="field">
      <span>{label}</span>
      <input
        value={form[key]}
        onChange={(e) => set(key, e.target.value as never)}
        data-testid={`schedule-${key}`}
        {...props}
      />
    </label>
  );

  return (
    <form className="schedule-editor" onSubmit={(e) => void save(e)} data-testid="schedule-editor">
      <h2>{schedule ? `Edit “${schedule.name}”` : 'New schedule'}</h2>
      <div className="editor-grid">
        <div className="form">
          {text('name', 'Name', { placeholder: 'Daily sales report' })}
          {text('event', 'Event (routed to workflows by mappings)', { placeholder: 'report.daily' })}
          <label className="field">
            <span>Payload (JSON)</span>
            <textarea
              rows={4}
              value={form.payload}
              onChange={(e) => set('payload', e.target.value)}
              data-testid="schedule-payload"
            />
          </label>
          <label className="field">
            <span>Runs</span>
            <select value={form.kind} onChange={(e) => set('kind', e.target.value as Kind)} data-testid="schedule-kind">
              <option value="cron">On a cron expression</option>
              <option value="interval">Every fixed interval</option>
              <option value="once">Once, at a date and time</option>
            </select>
          </label>
          {form.kind === 'cron' &&
            text('expression', 'Cron (5 fields, or 6 with seconds first)', { className: 'mono' })}
          {form.kind === 'interval' && text('everyMinutes', 'Every (minutes)', { type: 'number', min: 1 })}
          {form.kind === 'once' && text('at', 'At (local date-time)', { type: 'datetime-local' })}
          {text('timeZone', 'Time zone (IANA)', { list: 'schedule-zones' })}
          <datalist id="schedule-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {text('jitterSeconds', 'Jitter: random delay up to (seconds)', { type: 'number', min: 0, max: 3600 })}
          <label className="field">
            <span>While the previous run is still going</span>
            <select
              value={form.overlap}
              onChange={(e) => set('overlap', e.target.value as Form['overlap'])}
              data-testid="schedule-overlap"
            >
              <option value="skip">Skip the tick</option>
              <option value="buffer">Buffer one tick until it finishes</option>
              <option value="allow">Run anyway (allow all)</option>
            </select>
          </label>
          <label className="field">
            <span>Ticks missed while Flightdeck was closed</span>
            <select
              value={form.misfire}
              onChange={(e) => set('misfire', e.target.value as Form['misfire'])}
              data-testid="schedule-misfire"
            >
              <option value="skip">Skip them (record as missed)</option>
              <option value="run_once">Run once for all of them</option>
              <option value="run_each">Run each, up to a limit</option>
            </select>
          </label>
          {form.misfire === 'run_each' && text('maxRuns', 'At most (runs)', { type: 'number', min: 1, max: 1000 })}
          {text('windowHours', 'Catch up on ticks from the last (hours)', { type: 'number', min: 1, max: 720 })}
        </div>
        <aside className="preview" aria-label="Next runs" data-testid="schedule-preview">
          <h3>Next 10 runs</h3>
          {!zoneKnown ? (
            <p className="invalid" data-testid="schedule-zone-unknown">
              {form.timeZone.trim() === ''
                ? 'Enter a time zone, such as Europe/Berlin or UTC.'
                : `“${form.timeZone}” is not a time zone yet: use an IANA name such as Asia/Tokyo.`}
            </p>
          ) : preview.error ? (
            <p className="invalid" data-testid="schedule-preview-error">
              {preview.error}
            </p>
          ) : preview.runs.length === 0 ? (
            <p className="muted">No upcoming runs.</p>
          ) : (
            <ol>
              {preview.runs.map((ms) => (
                <li key={ms} data-testid="schedule-preview-run">
                  <TimeInZones ms={ms} zone={preview.zone} />
                </li>
              ))}
            </ol>
          )}
        </aside>
      </div>
      {error && <p className="invalid">{error}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={!draft || !zoneKnown || saving} data-testid="schedule-save">
          {schedule ? 'Save changes' : 'Create schedule'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
