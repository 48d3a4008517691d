import { formatInZone } from '../../../shared/format-time';
import { isTimeZone, operatorZone } from './schedules-store';

/** An instant in the schedule's zone and, when it differs, in the operator's. */
export function TimeInZones({ ms, zone }: { ms: number | null; zone: string }) {
  if (ms === null) return <span className="muted">—</span>;
  // A zone Intl does not know (half typed, or from an older runtime) shows the operator's time only.
  const valid = isTimeZone(zone);
  return (
    <span className="time-zones">
      <span>{formatInZone(ms, valid ? zone : operatorZone)}</span>
      {valid && zone !== operatorZone && <small className="muted">{formatInZone(ms, operatorZone)} (yours)</small>}
      {!valid && <small className="muted">(yours; “{zone}” is not a time zone)</small>}
    </span>
  );
}
