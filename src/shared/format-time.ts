/**
 * Display of instants in a named zone with Intl (shared by core and renderer: no DOM, no Node).
 * Formatters are cached per zone because building one costs far more than using it.
 */
const isoFormatters = new Map<string, Intl.DateTimeFormat>();
const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, key: string, make: () => Intl.DateTimeFormat) {
  let formatter = cache.get(key);
  if (!formatter) {
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

/** `2026-03-29T03:00:00`: the wall-clock time of `ms` in `timeZone`. */
export function localIso(ms: number, timeZone: string): string {
  const formatter = cached(
    isoFormatters,
    timeZone,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    formatter.formatToParts(ms).find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
}

/** `Sun, 29 Mar 2026, 03:00:00 CEST` for people; `timeZone` undefined means the viewer's own zone. */
export function formatInZone(ms: number, timeZone?: string): string {
  return cached(
    displayFormatters,
    timeZone ?? '',
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'short',
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
      }),
  ).format(ms);
}
