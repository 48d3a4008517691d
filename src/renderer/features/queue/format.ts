/** "3 min", "2 h", "5 d": a duration for the operator. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

export const clock = (ms: number) => new Date(ms).toLocaleTimeString();
export const dateTime = (ms: number) => new Date(ms).toLocaleString();

/** "offline since 10:42:13 (3 min)". */
export const offlineSince = (sinceMs: number, now = Date.now()) =>
  `offline since ${new Date(sinceMs).toLocaleString()} (${span(now - sinceMs)})`;
