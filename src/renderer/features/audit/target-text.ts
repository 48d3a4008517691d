import type { AuditEntry } from '../../../shared/contract';

/**
 * What an entry is about. Runs are named as everywhere else (`FD-29`, `n8n #812 on prod`, recorded
 * with the entry), with the run a retry created: `FD-29 → retried as FD-41`.
 */
export function targetText(e: AuditEntry): string {
  const run = typeof e.details.run === 'string' ? e.details.run : null;
  const created = typeof e.details.newRun === 'string' ? e.details.newRun : null;
  if (e.targetType === 'execution' && run) return created ? `${run} → retried as ${created}` : run;
  // Named where the entry recorded a name (an instance, a mapping, a schedule…, or the rule an alert
  // rule entry keeps whole: `rule` on create and delete, `after` on update): the id is in the detail.
  const name = recordedName(e.details);
  // A token's entries are about its user (the target) and name the token in their details.
  if (e.action.startsWith('token.') && name) return `token “${name}” of ${e.targetId ?? 'a user'}`;
  const kind = e.targetType.replace(/_/g, ' ');
  if (name) return `${kind} “${name}”`;
  if (!e.targetId) return kind;
  // `#` only for numbers (approval #4); an event name or a backup's file reads as itself.
  return /^\d+$/.test(e.targetId) ? `${kind} #${e.targetId}` : `${kind} ${e.targetId}`;
}

function recordedName(details: AuditEntry['details']): string | null {
  for (const value of [details, details.rule, details.after]) {
    const name = value !== null && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name) return name;
  }
  return null;
}
