import { z } from 'zod';
import {
  workflowDefinitionSchema,
  type CallArgs,
  type CallOutput,
  type WorkflowVersionKind,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import { checked, definitionOf, remoteWorkflowSchema, type RemoteWorkflow } from '../drafts/n8n-port';
import type { Clients } from './clients';
import { toRemote } from './workflows-port';

/** Snapshots searched for a workflow n8n cannot give now (newest first). */
const SNAPSHOTS_SEARCHED = 5;
const snapshotSchema = z.object({ workflows: z.array(z.unknown()) });

/** Which version to draw: the one asked for, else what n8n runs, else the saved one. */
function pick(remote: RemoteWorkflow, asked: WorkflowVersionKind | undefined) {
  const version: WorkflowVersionKind = asked ?? (remote.active && remote.published ? 'published' : 'draft');
  const definition = definitionOf(remote, version);
  if (!definition)
    throw new AppError('NOT_FOUND', `"${remote.name}" has no published version: only its saved version can be shown.`);
  const parsed = workflowDefinitionSchema.safeParse(definition);
  if (!parsed.success) throw new AppError('N8N_BAD_RESPONSE', `"${remote.name}" is in a shape the canvas cannot read.`);
  return { workflow: parsed.data, version };
}

/**
 * Full workflow definitions for the read-only canvas, and the node types in use (for the
 * canvas's "add node"). The synced rows keep only names and types of nodes, so definitions are
 * read from n8n, falling back to the newest snapshot that holds the workflow.
 */
export function createWorkflowDefinitions(ctx: CoreContext, clients: Clients) {
  const { db } = ctx.store;
  const syncedVersion = db.prepare('SELECT n8n_version FROM instance_sync_state WHERE instance_id = ?').pluck();
  const known = db.prepare('SELECT 1 FROM workflows WHERE instance_id = ? AND id = ?').pluck();
  const snapshots = db.prepare(
    'SELECT taken_at_ms, data_json FROM n8n_snapshots WHERE instance_id = ? ORDER BY taken_at_ms DESC, id DESC LIMIT ?',
  );

  function fromSnapshot(instanceId: string, workflowId: string): { remote: RemoteWorkflow; takenAtMs: number } | null {
    const rows = snapshots.all(instanceId, SNAPSHOTS_SEARCHED) as { taken_at_ms: number; data_json: string }[];
    for (const row of rows) {
      let data: unknown;
      try {
        data = JSON.parse(row.data_json);
      } catch {
        continue;
      }
      const list = snapshotSchema.safeParse(data);
      if (!list.success) continue;
      for (const w of list.data.workflows) {
        const parsed = remoteWorkflowSchema.safeParse(w);
        if (parsed.success && parsed.data.id === workflowId) return { remote: parsed.data, takenAtMs: row.taken_at_ms };
      }
    }
    return null;
  }

  async function definition({
    instanceId,
    workflowId,
    version,
  }: CallArgs<'workflows:definition'>): Promise<CallOutput<'workflows:definition'>> {
    if (!known.get(instanceId, workflowId))
      throw new AppError(
        'NOT_FOUND',
        `No synced workflow ${workflowId} on this instance: sync the instance, or it was deleted in n8n.`,
      );
    try {
      const client = clients.forInstance(instanceId);
      client.rememberVersion(syncedVersion.get(instanceId) as string | null | undefined);
      const remote = checked(remoteWorkflowSchema, toRemote(await client.getWorkflow(workflowId)), 'the workflow');
      return { ...pick(remote, version), source: 'n8n', takenAtMs: null };
    } catch (error) {
      // n8n answered that it is gone, or refused: that is the answer. Unreachable: the snapshot.
      const code = error instanceof AppError ? error.code : null;
      if (code !== 'N8N_UNREACHABLE' && code !== 'N8N_RATE_LIMITED') throw error;
      const kept = fromSnapshot(instanceId, workflowId);
      if (!kept) throw error;
      return { ...pick(kept.remote, version), source: 'snapshot', takenAtMs: kept.takenAtMs };
    }
  }

  const typeRows = db.prepare('SELECT instance_id, nodes_json FROM workflows');
  const typeRowsOf = db.prepare('SELECT instance_id, nodes_json FROM workflows WHERE instance_id = ?');
  const newestSnapshot = db.prepare(
    'SELECT instance_id, data_json FROM n8n_snapshots s WHERE id = (SELECT id FROM n8n_snapshots t WHERE t.instance_id = s.instance_id ORDER BY taken_at_ms DESC, id DESC LIMIT 1)',
  );
  const nodeShape = z.object({ type: z.string(), typeVersion: z.number().optional() });
  const workflowNodes = z.object({ nodes: z.array(z.unknown()) });

  function nodeTypes({ instanceId }: CallArgs<'workflows:nodeTypes'>): CallOutput<'workflows:nodeTypes'> {
    const types = new Map<string, { uses: number; instanceIds: Set<string>; typeVersion: number | null }>();
    const entry = (type: string) => {
      const e = types.get(type) ?? { uses: 0, instanceIds: new Set<string>(), typeVersion: null };
      types.set(type, e);
      return e;
    };
    const rows = (instanceId ? typeRowsOf.all(instanceId) : typeRows.all()) as {
      instance_id: string;
      nodes_json: string;
    }[];
    for (const row of rows) {
      let nodes: unknown;
      try {
        nodes = JSON.parse(row.nodes_json);
      } catch {
        continue;
      }
      for (const n of Array.isArray(nodes) ? nodes : []) {
        const parsed = nodeShape.safeParse(n);
        if (!parsed.success || !parsed.data.type) continue;
        const e = entry(parsed.data.type);
        e.uses++;
        e.instanceIds.add(row.instance_id);
      }
    }
    // Versions: the synced rows do not keep them; the newest snapshot of each instance does.
    for (const snap of newestSnapshot.all() as { instance_id: string; data_json: string }[]) {
      if (instanceId && snap.instance_id !== instanceId) continue;
      let data: unknown;
      try {
        data = JSON.parse(snap.data_json);
      } catch {
        continue;
      }
      const list = snapshotSchema.safeParse(data);
      for (const w of list.success ? list.data.workflows : []) {
        const parsed = workflowNodes.safeParse(w);
        for (const n of parsed.success ? parsed.data.nodes : []) {
          const node = nodeShape.safeParse(n);
          if (!node.success || node.data.typeVersion === undefined) continue;
          const e = types.get(node.data.type);
          if (e) e.typeVersion = Math.max(e.typeVersion ?? 0, node.data.typeVersion);
        }
      }
    }
    return {
      types: [...types.entries()]
        .map(([type, e]) => ({
          type,
          typeVersion: e.typeVersion,
          uses: e.uses,
          instanceIds: [...e.instanceIds].sort(),
        }))
        .sort((a, b) => b.uses - a.uses || a.type.localeCompare(b.type)),
    };
  }

  return { definition, nodeTypes };
}
