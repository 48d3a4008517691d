import { HIGH_PRIORITY_MAX, type Approval } from '../../../shared/contract';

export const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleString());

export function priorityLabel(p: number): { text: string; className: string } {
  if (p <= HIGH_PRIORITY_MAX) return { text: `high (${p})`, className: 'prio prio-high' };
  if (p >= 7) return { text: `low (${p})`, className: 'prio prio-low' };
  return { text: `normal (${p})`, className: 'prio' };
}

/** `expired → rejected`, `approved`, `pending`, with n8n delivery where it matters. */
export function statusText(a: Approval): string {
  const base = a.status === 'expired' ? `expired → ${a.decision === 'approve' ? 'approved' : 'rejected'}` : a.status;
  if (a.resumeState === 'resuming') return `${base} · sending to n8n`;
  if (a.resumeState === 'failed') return `${base} · n8n refused`;
  return base;
}
