/**
 * The port between drafts/backups and n8n. The integrator implements it over the undici client
 * of the instances area; tests use an in-memory fake. Implementations return plain objects and
 * throw AppError with N8N_* codes (N8N_UNREACHABLE for a down instance, N8N_NOT_FOUND for a
 * missing workflow, N8N_UNAUTHORIZED…). This layer re-validates every answer with the schemas
 * below, so a wrong shape becomes N8N_BAD_RESPONSE instead of bad data in the store.
 */
import { z } from 'zod';
import {
  connectionsSchema,
  workflowNodeSchema,
  type WorkflowDefinition,
  type WorkflowVersionKind,
} from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { describeIssues } from '../invoke';

export const remoteTagSchema = z.object({ id: z.string(), name: z.string() });
export type RemoteTag = z.infer<typeof remoteTagSchema>;

export const remoteVariableSchema = z.object({ key: z.string(), value: z.string() });
export type RemoteVariable = z.infer<typeof remoteVariableSchema>;

/** The version of a workflow n8n runs (2.x: the published one). */
export const remoteLiveVersionSchema = z.object({
  versionId: z.string(),
  nodes: z.array(workflowNodeSchema),
  connections: connectionsSchema,
});
export type RemoteLiveVersion = z.infer<typeof remoteLiveVersionSchema>;

/**
 * A workflow as n8n's public API returns it (updatedAt converted to epoch ms). The top level is
 * n8n's saved version (on 2.x the draft); `published` is what runs. Snapshots store this shape:
 * fields added later default, so older snapshots still read.
 */
export const remoteWorkflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  /**
   * Renewed when nodes or connections change (1.x: on every save). The draft conflict check
   * compares it and `updatedAtMs`.
   */
  versionId: z.string().nullable(),
  /** n8n's updatedAt, epoch ms: moves on every save, also a rename on 2.x. */
  updatedAtMs: z.number().int(),
  nodes: z.array(workflowNodeSchema),
  connections: connectionsSchema,
  settings: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(remoteTagSchema),
  /** n8n's versionCounter where the answer carries it (single GET); informative only. */
  versionCounter: z.number().int().nullable().default(null),
  /** The version n8n runs; null when nothing is live (or in a snapshot taken before 2.x support). */
  published: remoteLiveVersionSchema.nullable().default(null),
  archived: z.boolean().default(false),
});
export type RemoteWorkflow = z.infer<typeof remoteWorkflowSchema>;

/** What the pre-flight needs to know about an instance. */
export interface TargetInfo {
  /** Its n8n release ("2.41.1"); null when unknown. */
  version: string | null;
  /** Node types of its community packages; null when n8n does not tell (1.x) or was not asked. */
  communityNodeTypes: string[] | null;
}

/**
 * The body of a create or update: only writable fields. n8n 1.123 rejects id, active, tags,
 * pinData, versionId, meta and description, so none of them is ever in it.
 */
export interface WorkflowBody {
  name: string;
  nodes: WorkflowDefinition['nodes'];
  connections: WorkflowDefinition['connections'];
  settings: Record<string, unknown>;
}

export interface InstanceRef {
  id: string;
  name: string;
}

export interface N8nWorkflowsPort {
  /** Configured instances (no secrets). */
  listInstances(): Promise<InstanceRef[]> | InstanceRef[];
  /** A cheap check (e.g. GET /healthz or the last known health); never throws. */
  isReachable(instanceId: string): Promise<boolean>;
  /** Every workflow with nodes and connections, all pages followed. */
  listWorkflows(instanceId: string): Promise<RemoteWorkflow[]>;
  getWorkflow(instanceId: string, workflowId: string): Promise<RemoteWorkflow>;
  createWorkflow(instanceId: string, body: WorkflowBody): Promise<RemoteWorkflow>;
  /**
   * PUT /workflows/{id}. A workflow that is live goes live with the new version (1.x; 2.x
   * republishes by default). n8n answers with the new updatedAt (and versionId when nodes changed).
   */
  updateWorkflow(instanceId: string, workflowId: string, body: WorkflowBody): Promise<RemoteWorkflow>;
  /** PUT /workflows/{id}/tags with tag ids. */
  setWorkflowTags(instanceId: string, workflowId: string, tagIds: string[]): Promise<void>;
  listTags(instanceId: string): Promise<RemoteTag[]>;
  createTag(instanceId: string, name: string): Promise<RemoteTag>;
  /** Variables need an n8n licence; an unlicensed instance may throw N8N_FORBIDDEN. */
  listVariables(instanceId: string): Promise<RemoteVariable[]>;
  createVariable(instanceId: string, variable: RemoteVariable): Promise<void>;
  /**
   * The instance's version and (when `communityNodeTypes`) its community node types, for the
   * pre-flight. Optional: without it the pre-flight works from the removed-types list alone.
   */
  targetInfo?(instanceId: string, needs: { communityNodeTypes: boolean }): Promise<TargetInfo>;
}

/** Validates one answer of the port; a wrong shape is n8n's (or the adapter's) fault. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('N8N_BAD_RESPONSE', `${describeIssues(what, parsed.error)}. Check the instance's n8n version.`);
  }
  return parsed.data;
}

/** Strips everything n8n refuses on create/update. */
export function toWorkflowBody(workflow: WorkflowDefinition): WorkflowBody {
  return {
    name: workflow.name,
    nodes: workflow.nodes,
    connections: workflow.connections,
    settings: workflow.settings,
  };
}

/**
 * The writable definition of a remote workflow: its saved draft, or the published version (its
 * nodes and connections; name and settings are the workflow's). Null when `published` is asked
 * of a workflow with nothing live.
 */
export function definitionOf(remote: RemoteWorkflow): WorkflowDefinition;
export function definitionOf(remote: RemoteWorkflow, kind: WorkflowVersionKind): WorkflowDefinition | null;
export function definitionOf(remote: RemoteWorkflow, kind: WorkflowVersionKind = 'draft'): WorkflowDefinition | null {
  const settings = remote.settings ?? {};
  if (kind === 'draft') return { name: remote.name, nodes: remote.nodes, connections: remote.connections, settings };
  if (!remote.published) return null;
  return { name: remote.name, nodes: remote.published.nodes, connections: remote.published.connections, settings };
}

/** The versionId of the chosen version (the draft's, or the published one's). */
export const versionIdOf = (remote: RemoteWorkflow, kind: WorkflowVersionKind): string | null =>
  kind === 'published' ? (remote.published?.versionId ?? null) : remote.versionId;
