import type { Database } from 'better-sqlite3';
import type { RouteCheck } from '../../../shared/contract/mappings';

interface WorkflowPaths {
  id: string;
  name: string;
  active: boolean;
  paths: string[];
}

const trimSlashes = (path: string) => path.trim().replace(/^\/+/, '').replace(/\/+$/, '');

/**
 * n8n matches a production webhook segment by segment; a `:name` segment takes any value
 * (`orders/:id` serves `orders/42`).
 */
export function pathServes(served: string, requested: string): boolean {
  const a = trimSlashes(served).split('/');
  const b = trimSlashes(requested).split('/');
  return a.length === b.length && a.every((seg, i) => seg === b[i] || (seg.startsWith(':') && (b[i] ?? '') !== ''));
}

/** Edit distance (insert, delete, substitute), stopped early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/**
 * Whether a webhook path would reach a live workflow, judged from the last sync: the editor warns
 * before saving a path no live workflow serves (a typo such as `customer-updatd` would otherwise
 * dead-letter every run with n8n's 404).
 */
export function createRouteCheck(db: Database) {
  const selectInstance = db.prepare(`SELECT i.name, s.last_success_at_ms AS synced FROM instances i
    LEFT JOIN instance_sync_state s ON s.instance_id = i.id WHERE i.id = ?`);
  // The workflows table holds a sync's result; a row there means a pass completed at some point.
  const anyWorkflow = db.prepare('SELECT 1 FROM workflows WHERE instance_id = ? LIMIT 1').pluck();
  const instanceOf = (id: string): { name: string; synced: boolean } | null => {
    const row = selectInstance.get(id) as { name: string; synced: number | null } | undefined;
    if (!row) return null;
    return { name: row.name, synced: row.synced !== null || anyWorkflow.get(id) !== undefined };
  };
  const select = db.prepare(
    'SELECT id, name, active, webhook_paths_json FROM workflows WHERE instance_id = ? ORDER BY name, id',
  );
  const workflowsOf = (instanceId: string): WorkflowPaths[] =>
    (select.all(instanceId) as { id: string; name: string; active: number; webhook_paths_json: string }[]).map(
      (row) => {
        const parsed: unknown = JSON.parse(row.webhook_paths_json);
        const paths = Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [];
        return { id: row.id, name: row.name, active: row.active === 1, paths };
      },
    );

  return function checkRoute(input: {
    instanceId: string;
    webhookPath: string;
    workflowId: string | null;
  }): RouteCheck {
    const instance = instanceOf(input.instanceId);
    const path = trimSlashes(input.webhookPath);
    const none = { servedBy: [], suggestions: [] };
    if (!instance) {
      return { verdict: 'unknown', message: 'This instance no longer exists; choose another one.', ...none };
    }
    if (!instance.synced) {
      return {
        verdict: 'unsynced',
        message: `${instance.name} has not been synced yet, so its webhook paths are not known: this path cannot be checked.`,
        ...none,
      };
    }
    const workflows = workflowsOf(input.instanceId);
    const servedBy = workflows
      .filter((w) => w.paths.some((p) => pathServes(p, path)))
      .map((w) => ({ workflowId: w.id, name: w.name, active: w.active }));
    const live = servedBy.filter((w) => w.active);
    const chosen = input.workflowId ? workflows.find((w) => w.id === input.workflowId) : undefined;

    if (live.length > 0) {
      if (chosen && !live.some((w) => w.workflowId === chosen.id)) {
        const others = live.map((w) => `"${w.name}"`).join(', ');
        return {
          verdict: 'other-workflow',
          message: `On ${instance.name} this path runs ${others}, not the workflow chosen ("${chosen.name}").`,
          servedBy,
          suggestions: chosen.active
            ? chosen.paths.slice(0, 5).map((p) => ({ path: p, workflowId: chosen.id, workflowName: chosen.name }))
            : [],
        };
      }
      const names = live.map((w) => `"${w.name}"`).join(', ');
      return { verdict: 'served', message: `Runs ${names} on ${instance.name}.`, servedBy, suggestions: [] };
    }

    // Near misses among the live paths: a typo is one or two letters away.
    const max = Math.max(2, Math.floor(path.length / 5));
    const suggestions = workflows
      .filter((w) => w.active)
      .flatMap((w) => w.paths.map((p) => ({ path: p, workflowId: w.id, workflowName: w.name })))
      .map((s) => ({ ...s, distance: editDistance(trimSlashes(s.path), path, max) }))
      .filter((s) => s.distance <= max)
      .sort((a, b) => a.distance - b.distance || a.path.localeCompare(b.path))
      .slice(0, 5)
      .map(({ distance: _d, ...s }) => s);
    const hint = suggestions[0] ? ` Did you mean "${suggestions[0].path}" ("${suggestions[0].workflowName}")?` : '';

    if (servedBy.length > 0) {
      const names = servedBy.map((w) => `"${w.name}"`).join(', ');
      return {
        verdict: 'inactive',
        message: `Only ${names} has this path on ${instance.name}, and it is not active: n8n answers 404 until it is activated.${hint}`,
        servedBy,
        suggestions,
      };
    }
    return {
      verdict: 'unknown',
      message: `No workflow on ${instance.name} serves "${path}" (as of the last sync): every run would be refused with a 404 and dead-lettered.${hint}`,
      servedBy,
      suggestions,
    };
  };
}
