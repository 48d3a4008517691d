import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { SEVERITIES, type CallInput, type Severity } from '../../../shared/contract';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { callKey, callOrThrow } from '../../data/calls';
import { formatTime } from './format';

/** The monitoring event log: newest first, filtered by severity, kind and time, paged backwards. */
export function EventsPanel() {
  const [minSeverity, setMinSeverity] = useState<Severity | ''>('');
  const [kind, setKind] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const fromMs = from ? new Date(from).getTime() : undefined;
  const toMs = to ? new Date(to).getTime() : undefined;
  const filter: CallInput<'monitoring:list'> = {
    limit: 100,
    ...(minSeverity ? { minSeverity } : {}),
    ...(kind.trim() ? { kind: kind.trim() } : {}),
    ...(fromMs !== undefined && Number.isFinite(fromMs) ? { fromMs } : {}),
    ...(toMs !== undefined && Number.isFinite(toMs) ? { toMs } : {}),
  };
  // Pages of one query: a new event (`monitoring:event` invalidates `monitoring:`) refetches the pages shown.
  const query = useInfiniteQuery({
    queryKey: callKey('monitoring:list', filter),
    queryFn: ({ pageParam }: { pageParam: number | null }) =>
      callOrThrow('monitoring:list', { ...filter, ...(pageParam ? { beforeId: pageParam } : {}) }),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.nextBeforeId,
    placeholderData: keepPreviousData,
  });
  const events = query.data?.pages.flatMap((page) => page.events) ?? null;
  const filtered = Boolean(minSeverity || kind.trim() || from || to);

  return (
    <section className="panel" aria-label="Monitoring events">
      <div className="metrics-toolbar">
        <select
          aria-label="Severity"
          value={minSeverity}
          onChange={(e) => setMinSeverity(e.target.value as Severity | '')}
          data-testid="events-severity"
        >
          <option value="">Every severity</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s} and above
            </option>
          ))}
        </select>
        <input
          placeholder="Kind, or a prefix like alert."
          aria-label="Kind"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          data-testid="events-kind"
        />
        <input type="datetime-local" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)} />
        <input type="datetime-local" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      {query.isError ? (
        <LoadError what="the monitoring events" error={query.error} retry={() => void query.refetch()} />
      ) : events === null ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : events.length === 0 ? (
        <EmptyState title={filtered ? 'No events match' : 'No monitoring events yet'}>
          {filtered
            ? 'Nothing matches these filters. Widen the severity, kind or time.'
            : 'Alerts that fire or resolve, retention runs and background problems are logged here.'}
        </EmptyState>
      ) : (
        <>
          <table className="table" data-testid="events-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Severity</th>
                <th>Kind</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="event-row">
                  <td>{formatTime(e.atMs)}</td>
                  <td className={`severity severity-${e.severity}`}>{e.severity}</td>
                  <td>{e.kind}</td>
                  <td title={JSON.stringify(e.fields)}>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {query.hasNextPage && (
            <button
              type="button"
              className="link"
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              Load older events
            </button>
          )}
        </>
      )}
    </section>
  );
}
