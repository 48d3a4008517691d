import { useEffect, useRef } from 'react';
import type { QueueJob, QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { clock, dateTime, offlineSince, span } from './format';
import { useQueue, VIEWS, type ViewId } from './queue-store';
import { isTyping, scopeWords, type Pending } from './shared';
import { CanButton } from '../../components/Guarded';

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
  onAct(what: () => Promise<string>): Promise<void>;
  onAsk(pending: Pending): void;
}) {
  const { overview, jobs, view, onAct, onAsk } = props;
  const { scope, cursor, selected, setScope, setCursor, toggle, clearSelection } = useQueue();
  const body = useRef<HTMLTableSectionElement>(null);
  const focused = jobs?.[cursor];
  const chosen = () => (selected.size ? [...selected] : focused ? [focused.id] : []);

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
        j: () => s.move(1),
        k: () => s.move(-1),
        x: () => focused && s.toggle(focused.id),
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
  useEffect(() => {
    body.current?.querySelector<HTMLElement>(`[data-index="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

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
              Requeue {selected.size ? `${selected.size} selected` : 'focused'} (r)
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
            Cancel {selected.size ? `${selected.size} selected` : 'focused'} (c)
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
        <span className="muted small queue-keys">j/k move · x select · r requeue · c cancel</span>
      </div>
      {props.notice && (
        <p role="status" className="small" data-testid="queue-notice">
          {props.notice}
        </p>
      )}
      {jobs === null ? (
        <p className="muted">Loading…</p>
      ) : jobs.length === 0 ? (
        <p className="muted queue-none" data-testid="queue-jobs-empty">
          No {VIEWS.find((v) => v.id === view)?.label.toLowerCase()} jobs
          {scope.instanceId || scope.mappingId ? ` for ${scopeWords(overview, scope.instanceId, scope.mappingId)}` : ''}
          .
        </p>
      ) : (
        <table className="table queue-table" data-testid="queue-jobs">
          <thead>
            <tr>
              <th aria-label="Selected" />
              <th>Run</th>
              <th>Mapping</th>
              <th>Instance</th>
              <th>State</th>
              <th className="num">Attempts</th>
              <th>{view === 'completed' || view === 'canceled' || view === 'dead' ? 'Finished' : 'Due'}</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody ref={body}>
            {jobs.map((j, index) => (
              <tr
                key={j.id}
                data-index={index}
                data-testid="queue-job"
                className={index === cursor ? 'focused' : ''}
                aria-selected={selected.has(j.id)}
                onClick={() => setCursor(index)}
              >
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select job ${j.id}`}
                    checked={selected.has(j.id)}
                    onChange={() => toggle(j.id)}
                  />
                </td>
                <td>{j.executionId !== null ? `run ${j.executionId}` : `job ${j.id}`}</td>
                <td>{j.mappingName}</td>
                <td>{j.instanceName}</td>
                <td>
                  <span className={`queue-state state-${j.state}`}>{j.state.replace('_', ' ')}</span>
                  {j.held && <span className="tag queue-held">held</span>}
                  {j.uncertain && (
                    <span className="tag" title="Its last attempt may have reached n8n: it is looked for there first.">
                      check first
                    </span>
                  )}
                </td>
                <td className="num">
                  {j.attemptsMade}/{j.maxAttempts}
                </td>
                <td title={dateTime(j.finishedAtMs ?? j.runAtMs)}>
                  {j.finishedAtMs !== null
                    ? clock(j.finishedAtMs)
                    : j.runAtMs > Date.now()
                      ? `in ${span(j.runAtMs - Date.now())}`
                      : 'now'}
                </td>
                <td className="queue-reason small" data-testid="queue-job-reason">
                  {reasonOf(overview, j)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
