import { formatInZone } from '../../../shared/format-time';
import { operatorZone } from './schedules-store';

/** An instant in the schedule's zone and, when it differs, in the operator's. */
export function TimeInZones({ ms, zone }: { ms: number | null; zone: string }) {
  if (ms === null) return <span className="muted">—</span>;
  return (
    <span className="time-zones">
      <span>{formatInZone(ms, zone)}</span>
      {zone !== operatorZone && <small className="muted">{formatInZone(ms, operatorZone)} (yours)</small>}
    </span>
  );
}
