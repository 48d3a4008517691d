import { formatLocalRuns } from '../../../shared/run-identity';
import { useCallback, useEffect, useState } from 'react';
import type { Schedule, ScheduleTick } from '../../../shared/contract';
import { send } from '../../api/client';
import { useSchedules } from './schedules-store';
import { TimeInZones } from './TimeInZones';

type Cursor = { tickMs: number; id: number } | null;

/** A schedule's timeline: upcoming ticks, then every recorded tick, newest first, paged. */
export function ScheduleLedger({ schedule, onClose }: { schedule: Schedule; onClose: () => void }) {
  const tickVersion = useSchedules((s) => s.tickVersion);
  const [ticks, setTicks] = useState<ScheduleTick[] | null>(null);
  const [upcoming, setUpcoming] = useState<number[]>([]);
  const [next, setNext] = useState<Cursor>(null);
  const zone = schedule.timing.timeZone;

  const loadFirst = useCallback(async () => {
    const page = await send('schedules:ticks', { id: schedule.id, limit: 50 });
    setTicks(page.ticks);
    setUpcoming(page.upcoming);
    setNext(page.next);
  }, [schedule.id]);

  useEffect(() => {
    loadFirst().catch(() => undefined);
  }, [loadFirst, tickVersion, schedule.updatedAtMs, schedule.status]);

  const loadMore = async () => {
    if (!next) return;
    const page = await send('schedules:ticks', { id: schedule.id, limit: 50, before: next });
    setTicks((t) => [...(t ?? []), ...page.ticks]);
    setNext(page.next);
  };

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
              <span className="badge badge-upcoming">upcoming</span>
              <TimeInZones ms={ms} zone={zone} />
            </li>
          ))}
        </ol>
      )}
      <h3>Past ticks</h3>
      {ticks === null ? (
        <p className="muted">Loading…</p>
      ) : ticks.length === 0 ? (
        <p className="muted" data-testid="ledger-empty">
          No ticks yet. Every due tick will be listed here: fired, skipped, missed or coalesced, with the reason.
        </p>
      ) : (
        <ol className="timeline">
          {ticks.map((t) => (
            <li key={t.id} data-testid="ledger-tick" data-outcome={t.outcome}>
              <span className={`badge badge-${t.outcome}`}>
                {t.trigger === 'manual' ? `${t.outcome} (run now)` : t.outcome}
              </span>
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
      {next && (
        <button type="button" onClick={() => void loadMore().catch(() => undefined)}>
          Older ticks
        </button>
      )}
    </section>
  );
}
