import type { Schedule, ScheduleTick } from '../../../shared/contract';
import type { Tone } from '../../components/StatusPill';
import { useCall } from '../../data/calls';

/** What each schedule status means, in the console's one set of status colours. */
export const scheduleTone: Record<Schedule['status'], Tone> = { active: 'ok', paused: 'warn', finished: 'neutral' };
export const tickTone: Record<ScheduleTick['outcome'], Tone> = {
  fired: 'ok',
  skipped: 'warn',
  coalesced: 'warn',
  buffered: 'info',
  missed: 'danger',
  failed: 'danger',
};

const list = (data: { schedules: Schedule[] }) => data.schedules;

/** Every schedule, from the data layer (`schedules:list`, kept fresh by schedules:changed and ticks). */
export const useScheduleList = () => useCall('schedules:list', {}, { select: list });

/** The zone this window runs in: "the operator's" zone next to the schedule's own. */
export const operatorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const known = new Map<string, boolean>();
/**
 * Whether Intl knows this zone. Typing "Asia/Tokyo" key by key passes through "Asia/T", which
 * Intl refuses by throwing: everything that formats in a typed zone asks here first.
 */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  let answer = known.get(zone);
  if (answer === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      answer = true;
    } catch {
      answer = false;
    }
    known.set(zone, answer);
  }
  return answer;
}
