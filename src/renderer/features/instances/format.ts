/** "3 min ago", "just now", "in 20 s": times relative to now, for badges and lists. */
export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const diff = Math.round((now - ms) / 1000);
  const abs = Math.abs(diff);
  const text =
    abs < 5
      ? 'just now'
      : abs < 60
        ? `${abs} s`
        : abs < 3600
          ? `${Math.round(abs / 60)} min`
          : abs < 86_400
            ? `${Math.round(abs / 3600)} h`
            : `${Math.round(abs / 86_400)} d`;
  if (text === 'just now') return text;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

export const dateTime = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleString());

export const duration = (ms: number | null) =>
  ms === null
    ? '—'
    : ms < 1000
      ? `${ms} ms`
      : ms < 60_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.round(ms / 60_000)} min`;
