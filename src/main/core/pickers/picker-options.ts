import type { Database } from 'better-sqlite3';
import type { PickerOptions } from '../../../shared/contract/pickers';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';

/** What the pickers read from other areas (their services own the row shapes). */
export interface PickerSources {
  instances(): {
    id: string;
    name: string;
    environment: string;
    color: string;
    sync: { state: PickerOptions['instances'][number]['syncState']; lastSuccessAtMs: number | null };
  }[];
  mappings(): {
    id: string;
    name: string;
    event: string;
    instanceId: string;
    workflowId: string | null;
    webhookPath: string;
    active: boolean;
  }[];
}

/** Event names with runs, newest first; a cap keeps a runaway emitter from bloating every picker. */
const EVENTS_CAP = 1_000;

export function createPickerOptions(db: Database, sources: PickerSources) {
  const selectWorkflows = db.prepare(
    'SELECT instance_id, id, name, active, webhook_paths_json FROM workflows ORDER BY name COLLATE NOCASE, id',
  );
  const selectEvents = db.prepare(`SELECT event, COUNT(*) AS runs, MAX(created_at_ms) AS last FROM executions
    WHERE event IS NOT NULL AND source = 'local' GROUP BY event ORDER BY last DESC LIMIT ${EVENTS_CAP}`);

  return function pickerOptions(): PickerOptions {
    const workflows = (
      selectWorkflows.all() as {
        instance_id: string;
        id: string;
        name: string;
        active: number;
        webhook_paths_json: string;
      }[]
    ).map((row) => {
      const parsed: unknown = JSON.parse(row.webhook_paths_json);
      return {
        instanceId: row.instance_id,
        id: row.id,
        name: row.name,
        active: row.active === 1,
        webhookPaths: Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [],
      };
    });
    const mappings = sources.mappings().map(({ id, name, event, instanceId, workflowId, webhookPath, active }) => ({
      id,
      name,
      event,
      instanceId,
      workflowId,
      webhookPath,
      active,
    }));
    const mapped = new Set(mappings.filter((m) => m.active).map((m) => m.event));
    const seen = selectEvents.all() as { event: string; runs: number; last: number }[];
    const events: PickerOptions['events'] = seen.map((e) => ({
      name: e.event,
      runs: e.runs,
      lastSeenAtMs: e.last,
      mapped: mapped.has(e.event),
    }));
    // Events a mapping names but no run has carried yet are choosable too.
    const known = new Set(events.map((e) => e.name));
    for (const event of [...new Set(mappings.map((m) => m.event))].sort()) {
      if (!known.has(event)) events.push({ name: event, runs: 0, lastSeenAtMs: null, mapped: mapped.has(event) });
    }
    return {
      instances: sources
        .instances()
        .map((i) => ({
          id: i.id,
          name: i.name,
          environment: i.environment,
          color: i.color,
          syncState: i.sync.state,
          lastSyncAtMs: i.sync.lastSuccessAtMs,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      workflows,
      mappings: mappings.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
      events,
    };
  };
}

export function createPickersModule(ctx: CoreContext, sources: PickerSources): FeatureModule<'pickers'> {
  const options = createPickerOptions(ctx.store.db, sources);
  return { handlers: { 'pickers:options': () => options() } };
}
