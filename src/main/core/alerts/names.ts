import type Database from 'better-sqlite3';

/**
 * Names of the things metrics and alerts talk about, as the core already has them: instances
 * by their profile name, workflows by the name the last sync saw. Null when not known (never
 * synced, or removed since): callers then show the id.
 */
export interface NameDirectory {
  instance(id: string): string | null;
  /** A workflow by id; `instanceId` narrows it when the same id exists on two instances. */
  workflow(instanceId: string | null, workflowId: string): string | null;
}

/** The directory over the store's `instances` and `workflows` tables (read only). */
export function createNameDirectory(db: Database.Database): NameDirectory {
  const instance = db.prepare('SELECT name FROM instances WHERE id = ?').pluck();
  const workflowOn = db.prepare('SELECT name FROM workflows WHERE instance_id = ? AND id = ?').pluck();
  const workflowAnywhere = db.prepare('SELECT name FROM workflows WHERE id = ? ORDER BY instance_id LIMIT 1').pluck();
  return {
    instance: (id) => (instance.get(id) as string | undefined) ?? null,
    workflow: (instanceId, workflowId) =>
      ((instanceId ? workflowOn.get(instanceId, workflowId) : workflowAnywhere.get(workflowId)) as
        string | undefined) ?? null,
  };
}

/** `Orders sync` (named), else the id in quotes so it is never mistaken for a name. */
export const nameOr = (name: string | null, id: string) => name ?? `“${id}”`;

/**
 * An alert subject in words: `workflow:wf-1` → `workflow Orders sync on prod`,
 * `instance:prod` → `instance Production`, `queue` → `the queue`.
 */
export function subjectLabel(
  names: NameDirectory,
  subject: string,
  scope: { instanceId: string | null } = { instanceId: null },
): string {
  const [type, ...rest] = subject.split(':');
  const id = rest.join(':');
  if (type === 'workflow' && id) {
    const on = scope.instanceId ? ` on ${nameOr(names.instance(scope.instanceId), scope.instanceId)}` : '';
    return `workflow ${nameOr(names.workflow(scope.instanceId, id), id)}${on}`;
  }
  if (type === 'instance' && id) return `instance ${nameOr(names.instance(id), id)}`;
  if (subject === 'all') return 'all runs';
  if (subject === 'queue') return 'the queue';
  if (subject === 'dead-letters') return 'dead letters';
  return subject;
}
