import { useEffect, useRef, useState } from 'react';
import type { QueueJob, QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { clock, dateTime, offlineSince, span } from './format';
import { HoldLimit } from './HoldLimit';
import { followQueue, useQueue, VIEWS, type ViewId } from './queue-store';
import './queue.css';

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && t.closest('input, textarea, select, dialog, [contenteditable]') !== null;

type Pending =
  | { kind: 'cancel'; ids: number[] }
  | { kind: 'purge'; state: 'dead_lettered' | 'completed' | 'canceled'; count: number };

/** The Queue area (in the spirit of Bull Board): depth, holds and dead letters per instance and mapping. */
export function QueuePage() {
  const { overview, jobs, error, scope } = useQueue();
  useEffect(followQueue, []);
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (what: () => Promise<string>) => {
    try {
      setNotice(await what());
    } catch {
      // The error tray says what went wrong.
    } finally {
      setPending(null);
      void useQueue.getState().refresh();
    }
  };

  if (!overview && error)
    return (
      <section className="page queue-page">
        <h1>Queue</h1>
        <LoadError message={error} />
      </section>
    );
  if (!overview) return <p className="muted">Loading the queue…</p>;
  const total = Object.values(overview.total).reduce((a, b) => a + b, 0);
  const empty = total === 0 && overview.instances.length === 0 && overview.mappings.length === 0;

  return (
    <section className="page queue-page" aria-labelledby="queue-title" data-testid="queue-page">
      <div className="page-head">
        <h1 id="queue-title">Queue</h1>
        <HoldLimit holdLimitMs={overview.holdLimitMs} />
      </div>
      {error && <LoadError message={error} />}
      {empty ? (
        <EmptyState title="Nothing queued yet">
          Every run Flightdeck sends to n8n waits here first: how many wait per instance and mapping, which are in
          flight, which wait for an instance that is offline, and the dead letters with their reasons.
        </EmptyState>
      ) : (
        <>
          <Tiles overview={overview} />
          <InstancesTable overview={overview} onNotice={setNotice} />
          <MappingsTable overview={overview} onNotice={setNotice} />
          <JobsPanel overview={overview} jobs={jobs} onAct={act} onAsk={setPending} view={scope.view} notice={notice} />
        </>
      )}
      {pending?.kind === 'cancel' && (
        <ConfirmDialog
          title={`Cancel ${pending.ids.length} queued ${pending.ids.length === 1 ? 'run' : 'runs'}?`}
          confirmLabel="Cancel runs"
          danger
          onCancel={() => setPending(null)}
          onConfirm={() =>
            void act(async () => {
              const { jobs: done } = await send('queue:cancel', { ids: pending.ids, reason: 'from the Queue area' });
              return `Canceled ${done.length}.`;
            })
          }
        >
          They will not be sent to n8n; their runs show as canceled. Fire the events again to send them later.
        </ConfirmDialog>
      )}
      {pending?.kind === 'purge' && (
        <ConfirmDialog
          title={`Purge ${pending.count} ${stateWords(pending.state)}?`}
          confirmLabel="Purge"
          danger
          onCancel={() => setPending(null)}
          onConfirm={() =>
            void act(async () => {
              const { purged } = await send('queue:purge', {
                state: pending.state,
                ...(scope.instanceId ? { instanceId: scope.instanceId } : {}),
                ...(scope.mappingId ? { mappingId: scope.mappingId } : {}),
                reason: 'from the Queue area',
              });
              return `Purged ${purged} ${stateWords(pending.state)}.`;
            })
          }
        >
          {scopeWords(overview, scope.instanceId, scope.mappingId)}: these jobs leave the queue for good. Their runs
          stay in Executions (with their outcome and Retry).
          {pending.state === 'dead_lettered' && ' They can no longer be requeued from here.'}
        </ConfirmDialog>
      )}
    </section>
  );
}

const stateWords = (state: 'dead_lettered' | 'completed' | 'canceled') =>
  state === 'dead_lettered' ? 'dead letters' : state === 'completed' ? 'completed jobs' : 'canceled jobs';

function scopeWords(overview: QueueOverview, instanceId: string | null, mappingId: string | null): string {
  if (mappingId) return `Mapping ${overview.mappings.find((m) => m.mappingId === mappingId)?.name ?? '(removed)'}`;
  if (instanceId) return `Instance ${overview.instances.find((i) => i.instanceId === instanceId)?.name ?? '(removed)'}`;
  return 'Every instance and mapping';
}

function LoadError({ message }: { message: string }) {
  return (
    <div className="queue-error" role="alert" data-testid="queue-error">
      <span>The queue could not be read: {message}</span>
      <button type="button" onClick={() => void useQueue.getState().refresh()} data-testid="queue-retry">
        Try again
      </button>
    </div>
  );
}

function Tiles({ overview }: { overview: QueueOverview }) {
  const held = overview.instances.filter((i) => i.hold).reduce((n, i) => n + i.counts.waiting + i.counts.delayed, 0);
  const tiles: [string, number, string][] = [
    ['Waiting', overview.total.waiting, 'waiting'],
    ['Delayed', overview.total.delayed, 'delayed'],
    ['In flight', overview.total.active, 'active'],
    ['Held (instance offline)', held, 'held'],
    ['Dead letters', overview.total.dead_lettered, 'dead'],
  ];
  return (
    <div className="queue-tiles" data-testid="queue-tiles">
      {tiles.map(([label, n, key]) => (
        <div key={key} className={`queue-tile tile-${key}${n > 0 ? ' nonzero' : ''}`} data-testid={`tile-${key}`}>
          <strong>{n.toLocaleString()}</strong>
          <span>{label}</span>
        </div>
      ))}
    </div>
  );
}

function HealthBadge({ health }: { health: QueueOverview['instances'][number]['health'] }) {
  if (!health) return <span className="health health-never">removed</span>;
  if (health.state === 'down')
    return (
      <span className="health health-offline" data-testid="queue-health" data-state="down" title={health.reason ?? ''}>
        Offline
      </span>
    );
  if (health.state === 'up')
    return (
      <span className="health health-ok" data-testid="queue-health" data-state="up">
        Healthy
      </span>
    );
  return (
    <span className="health health-never" data-testid="queue-health" data-state="unknown">
      Not checked yet
    </span>
  );
}

function InstancesTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resume' : 'queue:pause', { instanceId: id, reason: 'from the Queue area' });
    onNotice(paused ? `${name} resumed.` : `${name} paused: its queued runs wait until you resume it.`);
  };
  return (
    <>
      <h2 className="queue-h2">By instance</h2>
      <table className="table queue-table" data-testid="queue-instances">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Health</th>
            <th className="num">Waiting</th>
            <th className="num">Delayed</th>
            <th className="num">In flight</th>
            <th className="num">Dead letters</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {overview.instances.map((i) => (
            <tr
              key={i.instanceId}
              data-testid={`queue-instance-${i.name}`}
              onClick={() => useQueue.getState().setScope({ instanceId: i.instanceId, mappingId: null })}
            >
              <td>
                <strong>{i.name}</strong>
                {i.paused && <span className="tag queue-paused">paused</span>}
                {i.hold && (
                  <div className="queue-hold small" data-testid="queue-hold">
                    Runs waiting for {i.name} ({offlineSince(i.hold.sinceMs)}): {i.hold.reason}. No attempts are spent
                    meanwhile.
                  </div>
                )}
              </td>
              <td>
                <HealthBadge health={i.health} />
              </td>
              <td className="num">{i.counts.waiting}</td>
              <td className="num">{i.counts.delayed}</td>
              <td className="num">{i.counts.active}</td>
              <td className="num">{i.counts.dead_lettered}</td>
              <td className="actions-cell">
                {!i.removed && (
                  <button
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggle(i.instanceId, i.name, i.paused).catch(() => undefined);
                    }}
                    data-testid="queue-instance-pause"
                  >
                    {i.paused ? 'Resume' : 'Pause'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function MappingsTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resumeMapping' : 'queue:pauseMapping', { mappingId: id, reason: 'from the Queue area' });
    onNotice(paused ? `${name} resumed.` : `${name} paused: its queued runs wait until you resume it.`);
  };
  if (overview.mappings.length === 0) return null;
  return (
    <>
      <h2 className="queue-h2">By mapping</h2>
      <table className="table queue-table" data-testid="queue-mappings">
        <thead>
          <tr>
            <th>Mapping</th>
            <th>Instance</th>
            <th className="num">Waiting</th>
            <th className="num">Delayed</th>
            <th className="num">In flight</th>
            <th className="num">Dead letters</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {overview.mappings.map((m) => (
            <tr
              key={m.mappingId}
              data-testid={`queue-mapping-${m.name}`}
              onClick={() => useQueue.getState().setScope({ mappingId: m.mappingId, instanceId: null })}
            >
              <td>
                <strong>{m.name}</strong>
                {m.event && m.event !== m.name && <span className="muted small"> · {m.event}</span>}
                {m.paused && <span className="tag queue-paused">paused</span>}
              </td>
              <td>{m.instanceName ?? '—'}</td>
              <td className="num">{m.counts.waiting}</td>
              <td className="num">{m.counts.delayed}</td>
              <td className="num">{m.counts.active}</td>
              <td className="num">{m.counts.dead_lettered}</td>
              <td className="actions-cell">
                {!m.removed && (
                  <button
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggle(m.mappingId, m.name, m.paused).catch(() => undefined);
                    }}
                    data-testid="queue-mapping-pause"
                  >
                    {m.paused ? 'Resume' : 'Pause'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

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

function JobsPanel(props: {
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
            <button
              type="button"
              onClick={() => requeue(chosen())}
              disabled={!jobs?.length}
              data-testid="queue-requeue"
            >
              Requeue {selected.size ? `${selected.size} selected` : 'focused'} (r)
            </button>
            <button
              type="button"
              onClick={() => requeue((jobs ?? []).map((j) => j.id))}
              disabled={!jobs?.length}
              data-testid="queue-requeue-all"
            >
              Requeue all listed
            </button>
          </>
        )}
        {(view === 'waiting' || view === 'delayed') && (
          <button type="button" onClick={() => cancel(chosen())} disabled={!jobs?.length} data-testid="queue-cancel">
            Cancel {selected.size ? `${selected.size} selected` : 'focused'} (c)
          </button>
        )}
        {purgeable && (
          <button
            type="button"
            className="danger"
            disabled={!count}
            onClick={() => onAsk({ kind: 'purge', state: purgeable, count: count ?? 0 })}
            data-testid="queue-purge"
          >
            Purge…
          </button>
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
