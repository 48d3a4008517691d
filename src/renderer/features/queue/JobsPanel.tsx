import { useCallback, useEffect } from 'react';
import type { QueueJob, QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { clock, dateTime, offlineSince, span } from './format';
import { useQueue, VIEWS, type ViewId } from './queue-store';
import { isTyping, scopeWords, type Pending } from './shared';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { hashFor, useNav } from '../../stores/nav-store';
import { executionItem } from '../../stores/routes';

/** A job's state, coloured as everywhere else. */
const JOB_TONE: Record<QueueJob['state'], Tone> = {
  waiting: 'neutral',
  delayed: 'warn',
  active: 'info',
  completed: 'ok',
  dead_lettered: 'danger',
  canceled: 'neutral',
};

/** A held job's reason is its instance's hold; any other job's is its last error. */
function reasonOf(overview: QueueOverview, job: QueueJob): string {
  const hold = job.held ? overview.instances.find((i) => i.instanceId === job.instanceId)?.hold : null;
  if (hold) return `Waiting for ${job.instanceName} (${offlineSince(hold.sinceMs)}): ${hold.reason}.`;
  return job.lastError ?? '';
}

function viewCount(overview: QueueOverview, view: ViewId, instanceId: string | null, mappingId: string | null) {
  const m = mappingId ? overview.mappings.find((x) => x.mappingId === mappingId) : undefined;
  const i = instanceId ? overview.instances.find((x) => x.instanceId === instanceId) : undefined;
  const counts = m ? { ...m.counts, completed: null, canceled: null } : (i?.counts ?? overview.total);
  const key = view === 'dead' ? 'dead_lettered' : view;
  return (counts as Record<string, number | null>)[key] ?? null;
}

/** The jobs of one state (j/k move, x select, r requeue, c cancel), with requeue, cancel and purge. */
export function JobsPanel(props: {
  overview: QueueOverview;
  jobs: QueueJob[] | null;
  view: ViewId;
  notice: string | null;
  /** Why the job list could not be read (shown with a retry in its place), or null. */
  jobsError: Error | null;
  onRetryJobs(): void;
  onAct(what: () => Promise<string>): Promise<void>;
  onAsk(pending: Pending): void;
}) {
  const { overview, jobs, view, onAct, onAsk } = props;
  const { scope, focusedId, selected, setScope, setFocused, toggle, clearSelection } = useQueue();
  const focused = jobs?.find((j) => j.id === focusedId) ?? jobs?.[0];
  // Only what is still listed counts as selected (a job that left the view is not acted on).
  const listed = new Set((jobs ?? []).map((j) => j.id));
  const picked = [...selected].filter((id) => listed.has(id));
  const chosen = () => (picked.length ? picked : focused ? [focused.id] : []);

  const requeue = (ids: number[]) =>
    ids.length &&
    void onAct(async () => {
      const { jobs: moved } = await send('queue:requeueDead', { ids, reason: 'from the Queue area' });
      clearSelection();
      return `Requeued ${moved.length}: attempts reset, back in the queue.`;
    });
  const cancel = (ids: number[]) => ids.length && onAsk({ kind: 'cancel', ids });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      const s = useQueue.getState();
      const actions: Record<string, () => void> = {
        r: () => view === 'dead' && void requeue(chosen()),
        c: () => (view === 'waiting' || view === 'delayed') && void cancel(chosen()),
        Escape: () => s.clearSelection(),
      };
      const action = actions[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const onCursor = useCallback((j: QueueJob) => setFocused(j.id), [setFocused]);
  const go = useNav((s) => s.go);
  const finishedView = view === 'completed' || view === 'canceled' || view === 'dead';
  const columns: DataColumn<QueueJob>[] = [
    {
      id: 'select',
      header: '',
      enableSorting: false,
      enableResizing: false,
      enableHiding: false,
      size: 36,
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select job ${row.original.id}`}
          checked={selected.has(row.original.id)}
          onChange={() => toggle(row.original.id)}
          onClick={(e) => e.stopPropagation()}
        />
      ),
    },
    {
      id: 'run',
      header: 'Run',
      accessorFn: (j) => j.executionId ?? -j.id,
      size: 100,
      cell: ({ row }) =>
        row.original.executionId !== null ? (
          <a
            href={hashFor('executions', executionItem({ id: row.original.executionId, source: 'local' }))}
            onClick={(e) => e.stopPropagation()}
          >
            FD-{row.original.executionId}
          </a>
        ) : (
          `job ${row.original.id}`
        ),
    },
    { id: 'mapping', header: 'Mapping', accessorFn: (j) => j.mappingName, size: 170 },
    { id: 'instance', header: 'Instance', accessorFn: (j) => j.instanceName, size: 120 },
    {
      id: 'state',
      header: 'State',
      accessorFn: (j) => j.state,
      size: 190,
      cell: ({ row }) => {
        const j = row.original;
        return (
          <span>
            <StatusPill tone={JOB_TONE[j.state]} value={j.state}>
              {j.state.replace('_', ' ')}
            </StatusPill>
            {j.held && <span className="tag queue-held">held</span>}
            {j.uncertain && (
              <span className="tag" title="Its last attempt may have reached n8n: it is looked for there first.">
                check first
              </span>
            )}
          </span>
        );
      },
    },
    {
      id: 'attempts',
      header: 'Attempts',
      accessorFn: (j) => j.attemptsMade,
      size: 90,
      cell: ({ row }) => (
        <span className="num">
          {row.original.attemptsMade}/{row.original.maxAttempts}
        </span>
      ),
    },
    {
      id: 'due',
      header: finishedView ? 'Finished' : 'Due',
      accessorFn: (j) => j.finishedAtMs ?? j.runAtMs,
      size: 110,
      cell: ({ row }) => {
        const j = row.original;
        return (
          <span title={dateTime(j.finishedAtMs ?? j.runAtMs)}>
            {j.finishedAtMs !== null
              ? clock(j.finishedAtMs)
              : j.runAtMs > Date.now()
                ? `in ${span(j.runAtMs - Date.now())}`
                : 'now'}
          </span>
        );
      },
    },
    {
      id: 'reason',
      header: 'Reason',
      accessorFn: (j) => reasonOf(overview, j),
      size: 380,
      cell: ({ row }) => {
        const reason = reasonOf(overview, row.original);
        return (
          <span className="queue-reason small" title={reason} data-testid="queue-job-reason">
            {reason}
          </span>
        );
      },
    },
  ];

  const purgeable = view === 'dead' ? 'dead_lettered' : view === 'completed' || view === 'canceled' ? view : null;
  const count = viewCount(overview, view, scope.instanceId, scope.mappingId);

  return (
    <>
      <h2 className="queue-h2">Jobs</h2>
      <div className="toolbar queue-views" role="tablist" aria-label="Job states">
        {VIEWS.map((v) => {
          const n = viewCount(overview, v.id, scope.instanceId, scope.mappingId);
          return (
            <button
              key={v.id}
              type="button"
              role="tab"
              aria-selected={v.id === view}
              className={v.id === view ? 'primary' : ''}
              onClick={() => setScope({ view: v.id })}
              data-testid={`queue-view-${v.id}`}
            >
              {v.label}
              {n !== null && <span className="queue-count">{n}</span>}
            </button>
          );
        })}
      </div>
      <div className="toolbar">
        <label className="small">
          Instance{' '}
          <select
            value={scope.instanceId ?? ''}
            onChange={(e) => setScope({ instanceId: e.target.value || null, mappingId: null })}
            data-testid="queue-filter-instance"
          >
            <option value="">all</option>
            {overview.instances.map((i) => (
              <option key={i.instanceId} value={i.instanceId}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          Mapping{' '}
          <select
            value={scope.mappingId ?? ''}
            onChange={(e) => setScope({ mappingId: e.target.value || null, instanceId: null })}
            data-testid="queue-filter-mapping"
          >
            <option value="">all</option>
            {overview.mappings.map((m) => (
              <option key={m.mappingId} value={m.mappingId}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        {view === 'dead' && (
          <>
            <CanButton
              channel="queue:requeueDead"
              onClick={() => requeue(chosen())}
              disabled={!jobs?.length}
              data-testid="queue-requeue"
            >
              Requeue {picked.length ? `${picked.length} selected` : 'focused'} (r)
            </CanButton>
            <CanButton
              channel="queue:requeueDead"
              onClick={() => requeue((jobs ?? []).map((j) => j.id))}
              disabled={!jobs?.length}
              data-testid="queue-requeue-all"
            >
              Requeue all listed
            </CanButton>
          </>
        )}
        {(view === 'waiting' || view === 'delayed') && (
          <CanButton
            channel="queue:cancel"
            type="button"
            onClick={() => cancel(chosen())}
            disabled={!jobs?.length}
            data-testid="queue-cancel"
          >
            Cancel {picked.length ? `${picked.length} selected` : 'focused'} (c)
          </CanButton>
        )}
        {purgeable && (
          <CanButton
            channel="queue:purge"
            className="danger"
            disabled={!count}
            onClick={() => onAsk({ kind: 'purge', state: purgeable, count: count ?? 0 })}
            data-testid="queue-purge"
          >
            Purge…
          </CanButton>
        )}
        <span className="muted small queue-keys">
          j/k or ↑/↓ move · x or Space select · r requeue · c cancel · Enter opens the run
        </span>
      </div>
      {props.notice && (
        <p role="status" className="small" data-testid="queue-notice">
          {props.notice}
        </p>
      )}
      {props.jobsError ? (
        <LoadError what="the jobs" error={props.jobsError} retry={props.onRetryJobs} />
      ) : jobs === null ? (
        <p className="muted">Loading…</p>
      ) : jobs.length === 0 ? (
        <p className="muted queue-none" data-testid="queue-jobs-empty">
          No {VIEWS.find((v) => v.id === view)?.label.toLowerCase()} jobs
          {scope.instanceId || scope.mappingId ? ` for ${scopeWords(overview, scope.instanceId, scope.mappingId)}` : ''}
          .
        </p>
      ) : (
        <div className="queue-table">
          <DataTable
            storageKey="queue-jobs"
            label={`${VIEWS.find((v) => v.id === view)?.label ?? 'Queued'} jobs`}
            testId="queue-jobs"
            columns={columns}
            data={jobs}
            rowId={(j) => String(j.id)}
            onToggle={(j) => toggle(j.id)}
            onCursorChange={onCursor}
            onOpen={(j) =>
              j.executionId !== null && go('executions', executionItem({ id: j.executionId, source: 'local' }))
            }
            windowKeys
            rowAttributes={(j) => ({ 'data-testid': 'queue-job', 'data-focused': String(j.id === focused?.id) })}
            height="calc(100vh - 320px)"
          />
        </div>
      )}
    </>
  );
}
