import { z } from 'zod';
import { call } from './define';
import { executionStatusSchema } from './executions-model';
import { executionSummarySchema } from './executions';
import { workflowDefinitionSchema, workflowVersionKindSchema } from './drafts';

/** A workflow as last synced from its n8n instance, with local execution counts. */
export const workflowSchema = z.object({
  instanceId: z.string(),
  /** n8n's workflow id (unique within its instance only). */
  id: z.string(),
  name: z.string(),
  /** Live in n8n: active (1.x) or published (2.x). */
  active: z.boolean(),
  tags: z.array(z.string()),
  /** Nodes of the version n8n runs (the published one on 2.x), else of the saved draft. */
  nodeCount: z.number().int(),
  /**
   * Where it is served, POST <baseUrl>/webhook/<path>: the Webhook nodes of the version n8n
   * runs (published, on 2.x) when it is live, else of the saved draft.
   */
  webhookPaths: z.array(z.string()),
  /** n8n's saved version (on 2.x the draft, which may not be what runs). */
  versionId: z.string().nullable(),
  /** The version n8n runs; null when nothing is live. */
  activeVersionId: z.string().nullable(),
  /** n8n holds a saved draft that differs from the published version (2.x: edited, not published). */
  draftDiffers: z.boolean(),
  /** Webhook paths of the saved draft (differ from `webhookPaths` only while the draft differs). */
  draftWebhookPaths: z.array(z.string()),
  /** Archived in n8n (listed by n8n, never live). */
  archived: z.boolean(),
  /** When Flightdeck saw the current live version appear (epoch ms); null when unknown. */
  liveSinceMs: z.number().int().nullable(),
  /** The instance's n8n release as last read ("2.41.1"), null when unknown: 2.x publishes, 1.x activates. */
  n8nVersion: z.string().nullable(),
  /** n8n's updatedAt (epoch ms). */
  updatedAtMs: z.number().int().nullable(),
  syncedAtMs: z.number().int(),
  /** Synced executions of this workflow held locally. */
  executionCount: z.number().int(),
  lastStatus: executionStatusSchema.nullable(),
  lastExecutionAtMs: z.number().int().nullable(),
});
export type Workflow = z.infer<typeof workflowSchema>;

export const workflowNodeSummarySchema = z.object({ name: z.string(), type: z.string(), disabled: z.boolean() });
export type WorkflowNodeSummary = z.infer<typeof workflowNodeSummarySchema>;

const ref = { instanceId: z.string().min(1).max(100), workflowId: z.string().min(1).max(100) };

export const workflowsCalls = {
  /** Workflows across all instances, filtered here so the UI stays fast with thousands. */
  'workflows:list': call(
    z
      .object({
        instanceId: z.string().max(100).optional(),
        /** Case-insensitive substring of the name. */
        search: z.string().max(200).optional(),
        active: z.boolean().optional(),
        tag: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(5000).default(2000),
      })
      .strict(),
    z.object({ workflows: z.array(workflowSchema), total: z.number().int() }),
  ),
  'workflows:get': call(
    z.object(ref).strict(),
    z.object({
      workflow: workflowSchema,
      nodes: z.array(workflowNodeSummarySchema),
      recentExecutions: z.array(executionSummarySchema),
    }),
  ),
  /**
   * The whole definition (nodes with positions, connections) of a synced workflow, for the
   * read-only canvas: read from n8n; when n8n cannot be reached, from the newest snapshot that
   * holds it (then `source` says so). Default version: the one n8n runs, else the saved one.
   */
  'workflows:definition': call(
    z.object({ ...ref, version: workflowVersionKindSchema.optional() }).strict(),
    z.object({
      workflow: workflowDefinitionSchema,
      version: workflowVersionKindSchema,
      source: z.enum(['n8n', 'snapshot']),
      /** The snapshot's time when `source` is snapshot. */
      takenAtMs: z.number().int().nullable(),
    }),
  ),
  /**
   * Node types the instances' workflows use (for "add node" on the canvas): how often, where,
   * and the highest typeVersion seen in the newest snapshot of each instance (null: not known).
   */
  'workflows:nodeTypes': call(
    z.object({ instanceId: z.string().max(100).optional() }).strict(),
    z.object({
      types: z.array(
        z.object({
          type: z.string(),
          typeVersion: z.number().nullable(),
          uses: z.number().int(),
          instanceIds: z.array(z.string()),
        }),
      ),
    }),
  ),
  /**
   * Makes the workflow live or stops it in n8n, then stores n8n's answer: publish/unpublish on
   * n8n 2.x (the saved draft becomes the published version: `active: true` on a published
   * workflow whose draft differs publishes that draft), activate/deactivate on 1.x.
   */
  'workflows:setActive': call(
    z.object({ ...ref, active: z.boolean(), reason: z.string().max(500).optional() }).strict(),
    workflowSchema,
  ),
};

export const workflowsEvents = {
  /** The synced workflows of an instance changed (a sync pass or an activation). */
  'workflows:changed': z.object({ instanceId: z.string() }),
};
