import { z } from 'zod';
import { call } from './define';

/** One link from a node output to a node input, as n8n stores it. */
export const connectionTargetSchema = z.object({
  node: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  index: z.number().int().min(0).max(1_000),
});

/**
 * n8n's connection map: source node name → output type (`main`) → output index → targets.
 * n8n writes `null` for an unused output slot.
 */
export const connectionsSchema = z.record(
  z.string(),
  z.record(z.string(), z.array(z.array(connectionTargetSchema).nullable()).max(1_000)),
);
export type Connections = z.infer<typeof connectionsSchema>;

/**
 * One workflow node. Only the fields n8n's public API accepts are kept (others, such as UI-only
 * fields in exported files, are dropped so the workflow can be pushed as is).
 */
export const workflowNodeSchema = z.object({
  id: z.string().max(100).optional(),
  name: z.string().max(200),
  type: z.string().max(200),
  typeVersion: z.number().min(0).max(1_000),
  /** Canvas position [x, y] in pixels. */
  position: z.tuple([z.number(), z.number()]),
  parameters: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.unknown()).optional(),
  webhookId: z.string().max(200).optional(),
  disabled: z.boolean().optional(),
  notes: z.string().max(10_000).optional(),
  notesInFlow: z.boolean().optional(),
  executeOnce: z.boolean().optional(),
  alwaysOutputData: z.boolean().optional(),
  retryOnFail: z.boolean().optional(),
  maxTries: z.number().optional(),
  waitBetweenTries: z.number().optional(),
  continueOnFail: z.boolean().optional(),
  onError: z.string().max(100).optional(),
});
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;

/** What a draft holds and what is pushed: the writable part of an n8n workflow. */
export const workflowDefinitionSchema = z.object({
  name: z.string().trim().min(1).max(200),
  nodes: z.array(workflowNodeSchema).max(2_000),
  connections: connectionsSchema,
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema>;

/** A workflow as n8n exports it (read-only fields allowed; they are stripped on import). */
export const exportedWorkflowSchema = workflowDefinitionSchema.extend({
  settings: z.record(z.string(), z.unknown()).nullish(),
  id: z.string().optional(),
  active: z.boolean().optional(),
  versionId: z.string().nullish(),
  tags: z.array(z.unknown()).optional(),
  pinData: z.unknown().optional(),
  meta: z.unknown().optional(),
});

/** One validation finding; `node` names the node it is about, when it is about one. */
export const draftIssueSchema = z.object({
  node: z.string().nullable(),
  message: z.string(),
});
export type DraftIssue = z.infer<typeof draftIssueSchema>;

/** The outcome of the last push of a draft (queued ones are replayed when n8n is back). */
export const draftPushSchema = z.object({
  id: z.number().int(),
  draftId: z.string(),
  instanceId: z.string(),
  override: z.boolean(),
  status: z.enum(['queued', 'done', 'conflict', 'failed']),
  attempts: z.number().int(),
  /** Epoch ms of the next replay attempt (queued only). */
  nextAttemptAtMs: z.number().int(),
  lastError: z.string().nullable(),
  remoteWorkflowId: z.string().nullable(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
});
export type DraftPush = z.infer<typeof draftPushSchema>;

/**
 * Which version of an n8n workflow: `draft` is what n8n has saved (the editor's version, which
 * the public API returns); `published` is what runs (n8n 2.x can hold a newer unpublished
 * draft; on 1.x both are the same).
 */
export const workflowVersionKindSchema = z.enum(['draft', 'published']);
export type WorkflowVersionKind = z.infer<typeof workflowVersionKindSchema>;

export const draftSchema = z.object({
  id: z.string(),
  origin: z.enum(['blank', 'clone', 'import']),
  instanceId: z.string().nullable(),
  remoteWorkflowId: z.string().nullable(),
  /** The n8n version the draft was taken from; a push refuses if n8n moved on since. */
  baseVersionId: z.string().nullable(),
  /** n8n's updatedAt when the draft was taken: a rename or settings change in n8n 2.x moves only this. */
  baseUpdatedAtMs: z.number().int().nullable(),
  /** Which of n8n's versions the draft was taken from (clone: the operator's pick). */
  baseKind: workflowVersionKindSchema,
  workflow: workflowDefinitionSchema,
  issues: z.array(draftIssueSchema),
  lastPush: draftPushSchema.nullable(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
});
export type Draft = z.infer<typeof draftSchema>;

/** One node that exists on both sides but differs. */
export const nodeChangeSchema = z.object({
  name: z.string(),
  /** The remote's name when the node was renamed in the draft. */
  previousName: z.string().nullable(),
  /** Changed top-level fields: type, typeVersion, position, credentials, disabled… */
  fields: z.array(z.string()),
  /** Dotted paths of changed parameters: `options.timeout`, `values.0.name`. */
  parameterPaths: z.array(z.string()),
});

/** Draft (mine) against remote (theirs), node by node. */
export const workflowDiffSchema = z.object({
  nameChanged: z.boolean(),
  addedNodes: z.array(z.string()),
  removedNodes: z.array(z.string()),
  changedNodes: z.array(nodeChangeSchema),
  /** `A[main 0] → B[0]` lines present only in the draft / only in the remote. */
  addedConnections: z.array(z.string()),
  removedConnections: z.array(z.string()),
  changedSettings: z.array(z.string()),
  identical: z.boolean(),
});
export type WorkflowDiff = z.infer<typeof workflowDiffSchema>;

/** A step into a merged workflow: an object key, or the element of an id-keyed array. */
export const mergePathSegmentSchema = z.union([z.string().max(1_000), z.object({ id: z.string().max(1_000) })]);

/** One side's value at a conflicting path; `present: false`: deleted there (or never added). */
export const mergeSideSchema = z.object({ present: z.boolean(), value: z.unknown().optional() });
export type MergeSide = z.infer<typeof mergeSideSchema>;

/** base→mine and base→theirs changed the same path differently: the operator picks. */
export const mergeConflictSchema = z.object({
  id: z.string(),
  path: z.array(mergePathSegmentSchema),
  /** The node it is about (its name in the merge), null for the workflow's name and settings. */
  node: z.string().nullable(),
  /** `parameters.options.timeout`, `position`, `(node)` for a whole node deleted on one side… */
  what: z.string(),
  base: mergeSideSchema,
  mine: mergeSideSchema,
  theirs: mergeSideSchema,
});
export type MergeConflictView = z.infer<typeof mergeConflictSchema>;

/** A change that merged by itself. */
export const mergedChangeSchema = z.object({
  node: z.string().nullable(),
  what: z.string(),
  from: z.enum(['mine', 'theirs', 'both']),
});

/** A three-way merge of the draft (mine) with n8n now (theirs) from the draft's base. */
export const mergeReportSchema = z.object({
  draftId: z.string(),
  /** n8n's version merged with: pass these back to apply the resolutions. */
  remoteVersionId: z.string().nullable(),
  remoteUpdatedAtMs: z.number().int(),
  /** False for drafts from before bases were kept: every difference is then a conflict. */
  baseKnown: z.boolean(),
  /** n8n has not moved since the draft's base: nothing to merge. */
  upToDate: z.boolean(),
  /** A clean merge is applied at once: the draft is now the merged result (push it next). */
  applied: z.boolean(),
  conflicts: z.array(mergeConflictSchema),
  changes: z.array(mergedChangeSchema),
  /** Links dropped because a node they touch was deleted on the other side. */
  droppedLinks: z.array(z.string()),
  base: workflowDefinitionSchema.nullable(),
  mine: workflowDefinitionSchema,
  theirs: workflowDefinitionSchema,
  /** The result, with mine's value at each open conflict. */
  merged: workflowDefinitionSchema,
  /** The validator's findings on the merged result (a push refuses until they are fixed). */
  issues: z.array(draftIssueSchema),
});
export type MergeReport = z.infer<typeof mergeReportSchema>;

export const mergeResolutionSchema = z.discriminatedUnion('choice', [
  z.object({ conflictId: z.string().max(20_000), choice: z.enum(['mine', 'theirs']) }).strict(),
  z.object({ conflictId: z.string().max(20_000), choice: z.literal('edit'), value: z.unknown() }).strict(),
]);
export type MergeResolution = z.infer<typeof mergeResolutionSchema>;

/** Why a version of a draft was kept. */
export const draftVersionReasonSchema = z.enum(['clone', 'import', 'create', 'push', 'pull', 'merge', 'restore']);

/** One version in a draft's local history (the workflow itself is fetched on compare). */
export const draftVersionSchema = z.object({
  id: z.number().int(),
  draftId: z.string(),
  reason: draftVersionReasonSchema,
  /** The team-mode user, else the local operator. */
  actor: z.string(),
  instanceId: z.string().nullable(),
  remoteWorkflowId: z.string().nullable(),
  remoteVersionId: z.string().nullable(),
  note: z.string().nullable(),
  name: z.string(),
  nodes: z.number().int(),
  createdAtMs: z.number().int(),
});
export type DraftVersion = z.infer<typeof draftVersionSchema>;

/** A version of the history, or the draft as it is now. */
const versionRef = z.union([z.number().int().min(1), z.literal('current')]);

/** Both sides of a refused push, carried in the CONFLICT error's details. */
export const pushConflictSchema = z.object({
  draftId: z.string(),
  baseVersionId: z.string().nullable(),
  remoteVersionId: z.string().nullable(),
  remoteUpdatedAtMs: z.number().int().nullable(),
  /**
   * What moved in n8n: `versionId` (nodes or connections changed), `updatedAt` (saved again:
   * on 2.x a rename or a settings change keeps the versionId), `deleted`.
   */
  reasons: z.array(z.enum(['versionId', 'updatedAt', 'deleted'])).default([]),
  mine: workflowDefinitionSchema,
  /** Null when the workflow was deleted in n8n. */
  theirs: workflowDefinitionSchema.nullable(),
  diff: workflowDiffSchema.nullable(),
  /**
   * The three-way merge of both sides (null when the workflow was deleted in n8n). When it was
   * clean it is already applied: the draft is the merged result and waits for the next push.
   */
  merge: mergeReportSchema.nullable().default(null),
});
export type PushConflict = z.infer<typeof pushConflictSchema>;

/** One node the target n8n may not run, and why. */
export const preflightProblemSchema = z.object({
  node: z.string(),
  type: z.string(),
  /** `error`: the target cannot run it (activation fails); `warning`: check before relying on it. */
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});
export type PreflightProblem = z.infer<typeof preflightProblemSchema>;

/** Migration pre-flight: node types of workflows checked against the instance they go into. */
export const preflightReportSchema = z.object({
  targetInstanceId: z.string(),
  /** The target's n8n release as last read, null when unknown. */
  targetVersion: z.string().nullable(),
  /** Which of n8n's versions of the workflows were checked. */
  version: workflowVersionKindSchema,
  /** How many workflows were checked. */
  checked: z.number().int(),
  /**
   * What the check used: the types n8n removed or disabled per major (always), the target's
   * installed community packages (where n8n lists them to the API key, 2.x).
   */
  checkedWith: z.array(z.enum(['removed-types-list', 'community-packages'])),
  /** Only the workflows with problems. */
  workflows: z.array(
    z.object({ workflowId: z.string().nullable(), name: z.string(), problems: z.array(preflightProblemSchema) }),
  ),
  /** Sentences about the check itself (version unknown, 2.x → 1.x). */
  notes: z.array(z.string()),
  /** No node the target cannot run (warnings may remain). */
  ok: z.boolean(),
});
export type PreflightReport = z.infer<typeof preflightReportSchema>;

const idArg = z.object({ id: z.string().min(1).max(100) }).strict();

export const draftsCalls = {
  'drafts:list': call(z.object({}).strict(), z.array(draftSchema)),
  'drafts:get': call(idArg, draftSchema),
  'drafts:create': call(
    z.object({ name: z.string().trim().min(1).max(200), instanceId: z.string().min(1).max(100).nullable() }).strict(),
    draftSchema,
  ),
  /**
   * Copies a workflow from n8n, remembering its versionId and updatedAt for conflict checks.
   * `version`: the saved draft (default) or the published version n8n runs (2.x may differ).
   */
  'drafts:clone': call(
    z
      .object({
        instanceId: z.string().min(1).max(100),
        workflowId: z.string().min(1).max(100),
        version: workflowVersionKindSchema.default('draft'),
      })
      .strict(),
    draftSchema,
  ),
  /** Imports n8n's exported workflow JSON (read-only fields are dropped). */
  'drafts:import': call(
    z.object({ document: z.unknown(), instanceId: z.string().min(1).max(100).nullable() }).strict(),
    draftSchema,
  ),
  /** Replaces the draft's workflow (nodes, connections, settings) and target instance. */
  'drafts:update': call(
    z
      .object({
        id: z.string().min(1).max(100),
        workflow: workflowDefinitionSchema,
        instanceId: z.string().min(1).max(100).nullable().optional(),
      })
      .strict(),
    draftSchema,
  ),
  'drafts:remove': call(idArg, z.object({ removed: z.boolean() })),
  /** Node-level diff of the draft against the workflow as n8n has it now. */
  'drafts:diff': call(idArg, z.object({ diff: workflowDiffSchema, remoteVersionId: z.string().nullable() })),
  /**
   * Creates or updates the workflow in n8n. Refuses with CONFLICT (details: PushConflict) when
   * n8n changed since the draft was taken, unless `override` (the operator chose "keep mine").
   * Unreachable instance → the push is queued and replayed when it is back.
   */
  'drafts:push': call(
    z.object({ id: z.string().min(1).max(100), override: z.boolean().default(false) }).strict(),
    z.object({
      push: draftPushSchema,
      draft: draftSchema,
      /** The pre-flight of the pushed workflow against the instance (null when it could not run). */
      preflight: preflightReportSchema.nullable(),
    }),
  ),
  /**
   * Dry run before pushing or migrating: checks node types against the target instance and
   * says, per workflow, what it may not run. Nothing is written. Either a draft (against its
   * instance), or a snapshot's workflows (`version`: their saved drafts or published versions)
   * against the instance it would be restored into.
   */
  'drafts:preflight': call(
    z.union([
      z.object({ draftId: z.string().min(1).max(100) }).strict(),
      z
        .object({
          snapshotId: z.number().int().min(1),
          targetInstanceId: z.string().min(1).max(100),
          version: workflowVersionKindSchema.default('draft'),
        })
        .strict(),
    ]),
    preflightReportSchema,
  ),
  /** "Take theirs": replaces the draft with n8n's current version of the workflow. */
  'drafts:rebase': call(idArg, draftSchema),
  /**
   * "Update from n8n": three-way merge of the draft with n8n's current version from the draft's
   * base. A clean merge is applied at once (the draft becomes the merged result, n8n's version
   * its new base); conflicts come back for the operator to resolve with drafts:mergeApply.
   */
  'drafts:merge': call(idArg, mergeReportSchema),
  /**
   * Applies a merge with one resolution per conflict. Refuses with CONFLICT when n8n moved again
   * since the merge was computed (merge again), VALIDATION when a conflict has no resolution.
   */
  'drafts:mergeApply': call(
    z
      .object({
        id: z.string().min(1).max(100),
        remoteVersionId: z.string().max(200).nullable(),
        remoteUpdatedAtMs: z.number().int(),
        resolutions: z.array(mergeResolutionSchema).max(5_000),
      })
      .strict(),
    draftSchema,
  ),
  /** The draft's local history, newest first: every push, pull, merge and restore. */
  'drafts:history': call(z.object({ draftId: z.string().min(1).max(100) }).strict(), z.array(draftVersionSchema)),
  /** Two versions of the history (or the draft now) as a list of changes, `from` → `to`. */
  'drafts:historyCompare': call(
    z.object({ draftId: z.string().min(1).max(100), from: versionRef, to: versionRef }).strict(),
    z.object({ diff: workflowDiffSchema, from: workflowDefinitionSchema, to: workflowDefinitionSchema }),
  ),
  /**
   * Restores a version into the draft (its base stays, so pushing it next goes through the
   * usual conflict checks and merge: that is a rollback).
   */
  'drafts:restore': call(
    z.object({ draftId: z.string().min(1).max(100), versionId: z.number().int().min(1) }).strict(),
    draftSchema,
  ),
  'drafts:pushes': call(
    z.object({ draftId: z.string().min(1).max(100).optional() }).strict(),
    z.array(draftPushSchema),
  ),
};

export const draftsEvents = {
  /** Drafts or their pushes changed (edit, push, replay outcome). */
  'drafts:changed': z.object({ ids: z.array(z.string()) }),
};
