import { useState } from 'react';
import type { Schedule } from '../../../shared/contract';
import { DataTable, DetailSplit, type DataColumn } from '../../components/DataTable';
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

  const columns: DataColumn<Schedule>[] = [
    {
      id: 'select',
      header: () => (
        <input
          type="checkbox"
          checked={allShownSelected}
          onChange={toggleAll}
          aria-label="Select all matching the filter"
          data-testid="schedule-select-all"
        />
      ),
      enableSorting: false,
      enableResizing: false,
      enableHiding: false,
      size: 36,
      cell: ({ row }) => (
        <input
          type="checkbox"
          checked={selected.has(row.original.id)}
          onChange={() => toggle(row.original.id)}
          onClick={(e) => e.stopPropagation()}
          aria-label={`Select ${row.original.name}`}
        />
      ),
    },
    {
      id: 'name',
      header: 'Name',
      accessorFn: (s) => s.name.toLowerCase(),
      size: 200,
      cell: ({ row }) => row.original.name,
    },
    {
      id: 'event',
      header: 'Event',
      accessorFn: (s) => s.event,
      size: 160,
      cell: ({ row }) => <span className="mono">{row.original.event}</span>,
    },
    {
      id: 'when',
      header: 'When',
      accessorFn: (s) => describeTiming(s),
      size: 220,
      cell: ({ row }) => (
        <span title={`${describeTiming(row.original)} (${row.original.timing.timeZone})`}>
          <span className="mono">{describeTiming(row.original)}</span>
          <small className="muted"> {row.original.timing.timeZone}</small>
        </span>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      accessorFn: (s) => s.status,
      size: 200,
      cell: ({ row }) => (
        <span title={row.original.note ?? undefined}>
          <StatusPill tone={scheduleTone[row.original.status]} testId="schedule-status" value={row.original.status}>
            {row.original.status}
          </StatusPill>
          {row.original.note && <small className="muted note"> {row.original.note}</small>}
        </span>
      ),
    },
    {
      id: 'next',
      header: 'Next run',
      accessorFn: (s) => s.nextRunMs ?? Number.MAX_SAFE_INTEGER,
      size: 210,
      cell: ({ row }) => (
        <span data-testid="schedule-next">
          <TimeInZones ms={row.original.nextRunMs} zone={row.original.timing.timeZone} inline />
        </span>
      ),
    },
    {
      id: 'last',
      header: 'Last tick',
      accessorFn: (s) => s.lastTick?.outcome ?? '',
      size: 100,
      cell: ({ row }) =>
        row.original.lastTick ? (
          <StatusPill tone={tickTone[row.original.lastTick.outcome]} title={row.original.lastTick.reason}>
            {row.original.lastTick.outcome}
          </StatusPill>
        ) : (
          <span className="muted">never</span>
        ),
    },
    {
      id: 'actions',
      header: 'Actions',
      enableSorting: false,
      size: 270,
      cell: ({ row }) => {
        const s = row.original;
        return (
          // Buttons act on their row only: a click on one does not open the ledger.
          <span className="row-actions" onClick={(e) => e.stopPropagation()}>
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
            <CanButton
              channel="schedules:remove"
              type="button"
              onClick={() => setRemoving(s)}
              data-testid="schedule-remove"
            >
              Remove
            </CanButton>
          </span>
        );
      },
    },
  ];

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
          <DetailSplit
            storageKey="schedules"
            detail={ledgerOf && <ScheduleLedger schedule={ledgerOf} onClose={() => setLedgerId(null)} />}
          >
            <DataTable
              storageKey="schedules"
              label="Schedules"
              testId="schedules-table"
              columns={columns}
              data={shown}
              rowId={(s) => String(s.id)}
              openId={ledgerId === null ? null : String(ledgerId)}
              onOpen={(s) => setLedgerId(s.id)}
              onToggle={(s) => toggle(s.id)}
              onClose={() => setLedgerId(null)}
              rowAttributes={(s) => ({ 'data-testid': 'schedule-row', 'data-status': s.status })}
              empty={`No schedule matches “${filter}”.`}
              height="calc(100vh - 260px)"
            />
          </DetailSplit>
        </>
      )}
    </section>
  );
}
