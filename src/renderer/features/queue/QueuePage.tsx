import { useState } from 'react';
import type { QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { GroupTables } from './GroupTables';
import { HoldLimit } from './HoldLimit';
import { JobsPanel } from './JobsPanel';
import { LoadError } from '../../components/LoadError';
import { refreshQueue, useQueueData } from './queue-store';
import { scopeWords, stateWords, type Pending } from './shared';
import './queue.css';

/** The Queue area (in the spirit of Bull Board): depth, holds and dead letters per instance and mapping. */
export function QueuePage() {
  const { overview: overviewQuery, jobs: jobsQuery, scope } = useQueueData();
  const overview = overviewQuery.data ?? null;
  const jobs = jobsQuery.data?.jobs ?? null;
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (what: () => Promise<string>) => {
    try {
      setNotice(await what());
    } catch {
      // send() put the refusal in the toasts, in the core's words; the lists show what the core kept.
    } finally {
      setPending(null);
      void refreshQueue();
    }
  };

  if (!overview && overviewQuery.isError)
    return (
      <section className="page queue-page">
        <h1>Queue</h1>
        <LoadError what="the queue" error={overviewQuery.error} retry={() => void overviewQuery.refetch()} />
      </section>
    );
  if (!overview)
    return (
      <p className="muted" data-testid="loading">
        Loading the queue…
      </p>
    );
  const total = Object.values(overview.total).reduce((a, b) => a + b, 0);
  const empty = total === 0 && overview.instances.length === 0 && overview.mappings.length === 0;

  return (
    <section className="page queue-page" aria-labelledby="queue-title" data-testid="queue-page">
      <div className="page-head">
        <h1 id="queue-title">Queue</h1>
        <HoldLimit holdLimitMs={overview.holdLimitMs} />
      </div>
      {overviewQuery.isError && (
        <LoadError what="the queue's counts" error={overviewQuery.error} retry={() => void overviewQuery.refetch()} />
      )}
      {empty ? (
        <EmptyState title="Nothing queued yet">
          Every run Flightdeck sends to n8n waits here first: how many wait per instance and mapping, which are in
          flight, which wait for an instance that is offline, and the dead letters with their reasons.
        </EmptyState>
      ) : (
        <>
          <Tiles overview={overview} />
          <GroupTables overview={overview} onNotice={setNotice} />
          <JobsPanel
            overview={overview}
            jobs={jobs}
            jobsError={jobsQuery.isError ? jobsQuery.error : null}
            onRetryJobs={() => void jobsQuery.refetch()}
            onAct={act}
            onAsk={setPending}
            view={scope.view}
            notice={notice}
          />
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
