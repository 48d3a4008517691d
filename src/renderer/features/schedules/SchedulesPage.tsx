import { useState } from 'react';
import type { Schedule } from '../../../shared/contract';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { StatusPill } from '../../components/StatusPill';
import { useAction } from '../../data/calls';
import { useNav, useRouteItem } from '../../stores/nav-store';
import { ScheduleEditor } from './ScheduleEditor';
import { ScheduleLedger } from './ScheduleLedger';
import { scheduleTone, tickTone, useScheduleList } from './schedules-store';
import { TimeInZones } from './TimeInZones';
import './schedules.css';
import { CanButton } from '../../components/Guarded';

type Pending = { action: 'pause' | 'resume'; ids: number[] };
const PAGE_SIZE = 200;

function describeTiming(s: Schedule): string {
  const t = s.timing;
  if (t.kind === 'cron') return `cron ${t.expression}`;
  if (t.kind === 'interval') return `every ${t.everyMs / 60_000} min`;
  return `once at ${t.at.replace('T', ' ')}`;
}

/** Schedules: list with status and next run, bulk pause/resume, run now, editor, ledger. */
export function SchedulesPage() {
  const query = useScheduleList();
  const pause = useAction('schedules:pause');
  const resume = useAction('schedules:resume');
  const runNowAction = useAction('schedules:runNow');
  const removeAction = useAction('schedules:remove');
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  // The open ledger is the URL's: #/schedules/<id>.
  const item = useRouteItem('schedules');
  const go = useNav((s) => s.go);
  const ledgerId = item?.[0] && /^\d{1,15}$/.test(item[0]) ? Number(item[0]) : null;
  const setLedgerId = (id: number | null) => (id === null ? go('schedules') : go('schedules', id));
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [pending, setPending] = useState<Pending | null>(null);
  const [note, setNote] = useState('');
  const [removing, setRemoving] = useState<Schedule | null>(null);
  const [filter, setFilter] = useState('');
  // Thousands of rows are slow to render and no one reads them all: show a page, filter for more.
  const [visible, setVisible] = useState(PAGE_SIZE);

  if (query.isError) return <LoadError what="schedules" error={query.error} retry={() => void query.refetch()} />;
  const schedules = query.data;
  if (schedules === undefined) return <p className="muted">Loading schedules…</p>;
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? schedules.filter((s) => `${s.name} ${s.event} ${s.status}`.toLowerCase().includes(needle))
    : schedules;
  const allShownSelected = shown.length > 0 && shown.every((s) => selected.has(s.id));
  const toggleAll = () => setSelected(allShownSelected ? new Set() : new Set(shown.map((s) => s.id)));
  const ledgerOf = schedules.find((s) => s.id === ledgerId) ?? null;
  const toggle = (id: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const ask = (action: Pending['action'], ids: number[]) => {
    setNote('');
    setPending({ action, ids });
  };
  const confirm = async () => {
    if (!pending) return;
    const trimmed = note.trim();
    const args = { ids: pending.ids, ...(trimmed ? { note: trimmed } : {}) };
    // A refusal is toasted; the dialog closes either way and the list shows what the core kept.
    await (pending.action === 'pause' ? pause : resume).run(args);
    setPending(null);
    setSelected(new Set());
  };
  const runNow = (id: number) => void runNowAction.run({ id }).then((tick) => tick && setLedgerId(id));
  const remove = async () => {
    if (!removing) return;
    const removed = await removeAction.run({ id: removing.id });
    if (removed && ledgerId === removing.id) setLedgerId(null);
    setRemoving(null);
  };

  return (
    <section className="page schedules-page" aria-labelledby="schedules-title">
      <header className="page-head">
        <h1 id="schedules-title">Schedules</h1>
        <CanButton
          channel="schedules:create"
          type="button"
          className="primary"
          onClick={() => setEditing('new')}
          data-testid="schedule-new"
        >
          New schedule
        </CanButton>
      </header>

      {editing && (
        <ScheduleEditor
          key={editing === 'new' ? 'new' : editing.id}
          schedule={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      )}

      {pending && (
        <div className="confirm" role="dialog" aria-label="Confirm" data-testid="schedule-confirm">
          <p>
            {pending.action === 'pause' ? 'Pause' : 'Resume'} {pending.ids.length} schedule
            {pending.ids.length > 1 ? 's' : ''}?{' '}
            {pending.action === 'pause'
              ? 'Ticks while paused are not due and will not be caught up.'
              : 'Ticks are counted from now on.'}
          </p>
          <input
            placeholder="Note (why), kept in the audit log"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
            data-testid="schedule-note"
          />
          <button type="button" className="primary" onClick={() => void confirm()} data-testid="schedule-confirm-yes">
            {pending.action === 'pause' ? 'Pause' : 'Resume'}
          </button>
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}

      {removing && (
        <div className="confirm" role="dialog" aria-label="Confirm removal" data-testid="schedule-remove-confirm">
          <p>Remove “{removing.name}” and its whole ledger? This cannot be undone.</p>
          <button type="button" className="danger" onClick={() => void remove()} data-testid="schedule-remove-yes">
            Remove
          </button>
          <button type="button" onClick={() => setRemoving(null)}>
            Cancel
          </button>
        </div>
      )}

      {schedules.length === 0 ? (
        <EmptyState title="No schedules yet">
          A schedule emits one of your events (with a payload) on a cron expression in a time zone, at a fixed interval,
          or once. Every tick it fires, skips or misses is recorded here with the reason.
        </EmptyState>
      ) : (
        <>
          <div className="bulk" aria-label="Bulk actions">
            <input
              type="search"
              placeholder="Filter by name, event or status"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              data-testid="schedule-filter"
            />
            <span className="muted">{selected.size} selected</span>
            <CanButton
              channel="schedules:pause"
              type="button"
              disabled={selected.size === 0}
              onClick={() => ask('pause', [...selected])}
              data-testid="bulk-pause"
            >
              Pause selected
            </CanButton>
            <CanButton
              channel="schedules:resume"
              type="button"
              disabled={selected.size === 0}
              onClick={() => ask('resume', [...selected])}
              data-testid="bulk-resume"
            >
              Resume selected
            </CanButton>
          </div>
          <table className="schedules-table" data-testid="schedules-table">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    checked={allShownSelected}
                    onChange={toggleAll}
                    aria-label="Select all matching the filter"
                  />
                </th>
                <th>Name</th>
                <th>Event</th>
                <th>When</th>
                <th>Status</th>
                <th>Next run</th>
                <th>Last tick</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    No schedule matches “{filter}”.
                  </td>
                </tr>
              )}
              {shown.slice(0, visible).map((s) => (
                <tr key={s.id} data-testid="schedule-row" data-status={s.status}>
                  <td>
                    <input
                      type="checkbox"
                      checked={selected.has(s.id)}
                      onChange={() => toggle(s.id)}
                      aria-label={`Select ${s.name}`}
                    />
                  </td>
                  <td>{s.name}</td>
                  <td className="mono">{s.event}</td>
                  <td>
                    <span className="mono">{describeTiming(s)}</span>
                    <small className="muted"> {s.timing.timeZone}</small>
                  </td>
                  <td>
                    <StatusPill tone={scheduleTone[s.status]} testId="schedule-status" value={s.status}>
                      {s.status}
                    </StatusPill>
                    {s.note && <small className="muted note"> {s.note}</small>}
                  </td>
                  <td data-testid="schedule-next">
                    <TimeInZones ms={s.nextRunMs} zone={s.timing.timeZone} />
                  </td>
                  <td>
                    {s.lastTick ? (
                      <StatusPill tone={tickTone[s.lastTick.outcome]} title={s.lastTick.reason}>
                        {s.lastTick.outcome}
                      </StatusPill>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td className="row-actions">
                    {s.status === 'paused' ? (
                      <CanButton
                        channel="schedules:resume"
                        type="button"
                        onClick={() => ask('resume', [s.id])}
                        data-testid="schedule-resume"
                      >
                        Resume
                      </CanButton>
                    ) : (
                      <CanButton
                        channel="schedules:pause"
                        type="button"
                        onClick={() => ask('pause', [s.id])}
                        data-testid="schedule-pause"
                      >
                        Pause
                      </CanButton>
                    )}
                    <CanButton
                      channel="schedules:runNow"
                      type="button"
                      onClick={() => runNow(s.id)}
                      data-testid="schedule-run-now"
                    >
                      Run now
                    </CanButton>
                    <CanButton
                      channel="schedules:update"
                      type="button"
                      onClick={() => setEditing(s)}
                      data-testid="schedule-edit"
                    >
                      Edit
                    </CanButton>
                    <button type="button" onClick={() => setLedgerId(s.id)} data-testid="schedule-open-ledger">
                      Ledger
                    </button>
                    <CanButton
                      channel="schedules:remove"
                      type="button"
                      onClick={() => setRemoving(s)}
                      data-testid="schedule-remove"
                    >
                      Remove
                    </CanButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length > visible && (
            <p className="muted">
              Showing {visible} of {shown.length}.{' '}
              <button type="button" onClick={() => setVisible((v) => v + PAGE_SIZE)} data-testid="schedule-more">
                Show {Math.min(PAGE_SIZE, shown.length - visible)} more
              </button>
            </p>
          )}
        </>
      )}

      {ledgerOf && <ScheduleLedger schedule={ledgerOf} onClose={() => setLedgerId(null)} />}
    </section>
  );
}
