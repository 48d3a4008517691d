import type { Instance } from '../../../shared/contract';
import { useCall } from '../../data/calls';

const byName = (a: Instance, b: Instance) => a.name.localeCompare(b.name);
// Stable, so the sorted list is computed once per answer, not once per render.
const sorted = (data: { instances: Instance[] }) => [...data.instances].sort(byName);

/**
 * The synced instances, by name, from the data layer (`instances:list`, kept fresh by
 * instances:changed / instances:removed). Kept as a hook of its own because many areas show
 * instance names; `loaded` is false until the first answer, `query` has the error and Retry.
 */
export function useInstanceList() {
  const query = useCall('instances:list', {}, { select: sorted });
  return { instances: query.data ?? [], loaded: query.data !== undefined, query };
}
