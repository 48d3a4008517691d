export const formatTime = (ms: number) => new Date(ms).toLocaleString();

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export const formatPct = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`);

/** Value for a datetime-local input, in local time. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** Runs per hour, in the unit that reads best: `7.6/min` for a burst, `3.2/h` for a trickle. */
export function formatRate(perHour: number): string {
  if (perHour >= 120) {
    const perMinute = perHour / 60;
    return `${perMinute.toFixed(perMinute < 10 ? 1 : 0)}/min`;
  }
  return `${perHour.toFixed(perHour < 10 ? 2 : 0)}/h`;
}

/** A period's length: `45 s`, `10 min`, `3.5 h`, `2.0 d`. */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}
