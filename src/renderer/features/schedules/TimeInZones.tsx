import { formatInZone } from '../../../shared/format-time';
import { isTimeZone, operatorZone } from './schedules-store';

/** An instant in the schedule's zone and, when it differs, in the operator's. */
export function TimeInZones({ ms, zone, inline }: { ms: number | null; zone: string; inline?: boolean }) {
  if (ms === null) return <span className="muted">—</span>;
  // A zone Intl does not know (half typed, or from an older runtime) shows the operator's time only.
  const valid = isTimeZone(zone);
  if (inline) {
    // One line (a table row): the schedule's time, the operator's on hover.
    const yours = valid && zone !== operatorZone ? `${formatInZone(ms, operatorZone)} (yours)` : undefined;
    return <span title={yours}>{formatInZone(ms, valid ? zone : operatorZone)}</span>;
  }
  return (
    <span className="time-zones">
      <span>{formatInZone(ms, valid ? zone : operatorZone)}</span>
      {valid && zone !== operatorZone && <small className="muted">{formatInZone(ms, operatorZone)} (yours)</small>}
      {!valid && <small className="muted">(yours; “{zone}” is not a time zone)</small>}
    </span>
  );
}
