import { useInfiniteQuery } from '@tanstack/react-query';
import { formatLocalRuns } from '../../../shared/run-identity';
import type { Schedule } from '../../../shared/contract';
import { LoadError } from '../../components/LoadError';
import { StatusPill } from '../../components/StatusPill';
import { tickTone } from './schedules-store';
import { callKey, callOrThrow } from '../../data/calls';
import { TimeInZones } from './TimeInZones';

type Cursor = { tickMs: number; id: number } | null;

/** A schedule's timeline: upcoming ticks, then every recorded tick, newest first, paged. */
export function ScheduleLedger({ schedule, onClose }: { schedule: Schedule; onClose: () => void }) {
  // Pages of one query: a tick (schedules:tick invalidates `schedules:`) refetches every page shown.
  const query = useInfiniteQuery({
    queryKey: [...callKey('schedules:ticks', { id: schedule.id }), schedule.updatedAtMs, schedule.status],
    queryFn: ({ pageParam }: { pageParam: Cursor }) =>
      callOrThrow('schedules:ticks', { id: schedule.id, limit: 50, ...(pageParam ? { before: pageParam } : {}) }),
    initialPageParam: null as Cursor,
    getNextPageParam: (page) => page.next,
  });
  const ticks = query.data?.pages.flatMap((page) => page.ticks) ?? null;
  const upcoming = query.data?.pages[0]?.upcoming ?? [];
  const zone = schedule.timing.timeZone;

  return (
    <section className="ledger" aria-label={`Ledger of ${schedule.name}`} data-testid="schedule-ledger">
      <header className="ledger-head">
        <h2>Ledger: {schedule.name}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      <h3>Upcoming</h3>
      {upcoming.length === 0 ? (
        <p className="muted">
          {schedule.status === 'paused' ? 'Paused: nothing upcoming until it is resumed.' : 'Nothing upcoming.'}
        </p>
      ) : (
        <ol className="timeline upcoming">
          {upcoming.map((ms) => (
            <li key={ms} data-testid="ledger-upcoming">
              <StatusPill tone="neutral">upcoming</StatusPill>
              <TimeInZones ms={ms} zone={zone} />
            </li>
          ))}
        </ol>
      )}
      <h3>Past ticks</h3>
      {query.isError ? (
        <LoadError what="the ledger" error={query.error} retry={() => void query.refetch()} />
      ) : ticks === null ? (
        <p className="muted">Loading…</p>
      ) : ticks.length === 0 ? (
        <p className="muted" data-testid="ledger-empty">
          No ticks yet. Every due tick will be listed here: fired, skipped, missed or coalesced, with the reason.
        </p>
      ) : (
        <ol className="timeline">
          {ticks.map((t) => (
            <li key={t.id} data-testid="ledger-tick" data-outcome={t.outcome}>
              <StatusPill tone={tickTone[t.outcome]} value={t.outcome}>
                {t.trigger === 'manual' ? `${t.outcome} (run now)` : t.outcome}
              </StatusPill>
              <TimeInZones ms={t.tickMs} zone={zone} />
              <span className="reason">
                {t.reason}
                {t.covers > 1 && ` (${t.covers} ticks)`}
                {t.executionIds.length > 0 && <span className="muted"> · runs {formatLocalRuns(t.executionIds)}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          Older ticks
        </button>
      )}
    </section>
  );
}
