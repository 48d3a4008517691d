import { z } from 'zod';
import { call } from './define';
import { auditEntrySchema } from './audit';
import { executionStatusSchema } from './executions-model';
import { conditionSchema } from './mappings';
import { roleSchema } from './auth';

export const APPROVAL_KINDS = ['gate', 'wait'] as const;
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export const decisionSchema = z.enum(['approve', 'reject']);
export type Decision = z.infer<typeof decisionSchema>;

/** 0 is the most urgent, 9 the least; 0–2 count as high priority (badge, desktop notification). */
export const approvalPrioritySchema = z.number().int().min(0).max(9);
export const HIGH_PRIORITY_MAX = 2;

/** Who registered a wait, when it says: the n8n node "Flightdeck: Request Approval". */
export const APPROVAL_SOURCES = ['flightdeck-node'] as const;

/** A value shown beside an item's title (the n8n node's "Fields to show"). */
export const approvalFieldSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    value: z.union([z.string().max(2_000), z.number().finite(), z.boolean(), z.null()]),
  })
  .strict();
export type ApprovalField = z.infer<typeof approvalFieldSchema>;

/**
 * Who may decide a wait, as its registration said ("allowed approvers or role"): in team mode
 * only these accounts (by user name, any case) or accounts with at least this role may decide it.
 */
export const allowedDecidersSchema = z
  .object({
    users: z.array(z.string().trim().min(1).max(80)).max(50).default([]),
    role: roleSchema.nullable().default(null),
  })
  .strict();
export type AllowedDeciders = z.infer<typeof allowedDecidersSchema>;

/** One item of the inbox. */
export const approvalSchema = z.object({
  id: z.number().int(),
  /** `gate`: a run held before dispatch; `wait`: an n8n execution paused on a Wait node. */
  kind: z.enum(APPROVAL_KINDS),
  status: z.enum(APPROVAL_STATUSES),
  /** The decision taken, or the action an expiry took. */
  decision: decisionSchema.nullable(),
  executionId: z.number().int().nullable(),
  remoteExecutionId: z.string().nullable(),
  instanceId: z.string().nullable(),
  workflowId: z.string().nullable(),
  mappingId: z.string().nullable(),
  event: z.string().nullable(),
  summary: z.string(),
  payload: z.unknown(),
  priority: approvalPrioritySchema,
  /** When a person should have decided by (epoch ms); informational. */
  dueAtMs: z.number().int().nullable(),
  /** When the expiry action is taken automatically (epoch ms). */
  expiresAtMs: z.number().int().nullable(),
  expiryAction: decisionSchema.nullable(),
  assignee: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAtMs: z.number().int().nullable(),
  comment: z.string().nullable(),
  ruleId: z.string().nullable(),
  /** Why an automatic decision (rule or expiry) was taken, in words. */
  explanation: z.string().nullable(),
  /** Waits: delivery of the decision to n8n. */
  resumeState: z.enum(['resuming', 'resumed', 'failed']).nullable(),
  resumeError: z.string().nullable(),
  resumeAttempts: z.number().int(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  /** Who registered a wait (`flightdeck-node`: the n8n node), else null. */
  source: z.enum(APPROVAL_SOURCES).nullable().optional(),
  /** The registration's longer text, shown under the title. */
  description: z.string().nullable().optional(),
  /** Values to show beside the title, in the order sent. */
  fields: z.array(approvalFieldSchema).nullable().optional(),
  /** Who may decide it in team mode (the registration's allowed approvers or role); null: anyone who may approve. */
  allowed: allowedDecidersSchema.nullable().optional(),
});
export type Approval = z.infer<typeof approvalSchema>;

/** Inbox filter; also what a saved view stores. */
export const approvalFilterSchema = z
  .object({
    /** `open`: pending only (the default); `decided`: approved, rejected or expired. */
    status: z.enum(['open', 'decided', 'all', ...APPROVAL_STATUSES]).default('open'),
    kind: z.enum(APPROVAL_KINDS).optional(),
    instanceId: z.string().max(100).optional(),
    /** Operator name, or `me` (the current operator), or `none` (unclaimed). */
    assignee: z.string().max(100).optional(),
    /** Only items with priority ≤ this (0 = most urgent). */
    maxPriority: approvalPrioritySchema.optional(),
    /** Only items whose due time has passed. */
    overdue: z.boolean().optional(),
    /** Case-insensitive text in summary or event. */
    text: z.string().max(200).optional(),
  })
  .strict();
export type ApprovalFilter = z.output<typeof approvalFilterSchema>;

export const approvalCommentSchema = z.object({
  id: z.number().int(),
  atMs: z.number().int(),
  author: z.string(),
  body: z.string(),
});

const relatedExecutionSchema = z.object({
  id: z.number().int(),
  /** A local run (`FD-<id>`) or an execution synced from n8n. */
  source: z.enum(['local', 'remote']),
  instanceId: z.string().nullable(),
  remoteId: z.string().nullable(),
  status: executionStatusSchema.or(z.string()),
  createdAtMs: z.number().int(),
  finishedAtMs: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const approvalDetailSchema = z.object({
  item: approvalSchema,
  comments: z.array(approvalCommentSchema),
  /** Audit entries about this item, oldest first. */
  history: z.array(auditEntrySchema),
  /** The mapping behind a gate (as stored), when it still exists. */
  mapping: z.record(z.string(), z.unknown()).nullable(),
  /** This item's run and its retry chain (lineage), oldest first: not every run of the workflow. */
  related: z.array(relatedExecutionSchema),
  /** Names for the ids above, as the operator knows them (null when the id is null or gone). */
  names: z.object({
    instance: z.string().nullable(),
    workflow: z.string().nullable(),
    mapping: z.string().nullable(),
  }),
  /** The mapping's note to the approver ('' when none). */
  approverNote: z.string(),
  /** Team mode's four-eyes state: approvals given so far, how many are needed, who asked for the run. */
  quorum: z
    .object({
      required: z.number().int(),
      approvals: z.array(z.object({ by: z.string(), atMs: z.number().int() })),
      requestedBy: z.string().nullable(),
      requesterMayApprove: z.boolean(),
    })
    .optional(),
});
export type ApprovalDetail = z.infer<typeof approvalDetailSchema>;

/** A comment is required on reject; optional on approve. */
const commentSchema = z.string().trim().max(2_000);

/** History condition: the workflow's success rate, succeeded / (succeeded + failed) runs. */
export const historyConditionSchema = z
  .object({
    /** Look-back window, days. */
    windowDays: z.number().int().min(1).max(365).default(7),
    /** The rate must be strictly above this, percent. */
    minSuccessRatePct: z.number().min(0).max(100),
    /** Fewer finished runs than this in the window → the rule does not apply. */
    minRuns: z.number().int().min(1).max(100_000).default(5),
  })
  .strict();

export const approvalRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    enabled: z.boolean().default(true),
    /** Which items the rule looks at; an absent field matches everything. */
    scope: z
      .object({
        kind: z.enum(APPROVAL_KINDS).optional(),
        instanceId: z.string().max(100).optional(),
        workflowId: z.string().max(100).optional(),
        mappingId: z.string().max(100).optional(),
        event: z.string().max(100).optional(),
      })
      .strict()
      .default({}),
    /** Every condition must hold on the item's payload. */
    conditions: z.array(conditionSchema).max(50).default([]),
    history: historyConditionSchema.nullable().default(null),
    /** At most this many automatic approvals in any rolling 24 hours (null: no limit). */
    dailyLimit: z.number().int().min(1).max(1_000_000).nullable().default(null),
  })
  .strict()
  .refine((r) => r.conditions.length > 0 || r.history !== null || Object.keys(r.scope).length > 0, {
    message: 'A rule needs at least one condition, a history check or a scope; it would approve everything.',
    path: ['conditions'],
  });
export type ApprovalRuleInput = z.input<typeof approvalRuleInputSchema>;
export type ApprovalRuleFields = z.output<typeof approvalRuleInputSchema>;

export const approvalRuleSchema = z.object({
  id: z.string(),
  rule: approvalRuleInputSchema,
  /** Automatic approvals in the last 24 hours (for the daily limit). */
  approvedLast24h: z.number().int(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
});
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;

export const ruleDryRunSchema = z.object({
  /** Decided items looked at. */
  total: z.number().int(),
  wouldApprove: z.number().int(),
  /** Of those, how many a person (or expiry) had rejected: the rule would have disagreed. */
  disagreements: z.number().int(),
  /** `This rule would have approved 37 of 52 past decisions (2 of them had been rejected).` */
  message: z.string(),
  samples: z.array(
    z.object({ id: z.number().int(), summary: z.string(), explanation: z.string(), actual: decisionSchema.nullable() }),
  ),
});

const savedViewSchema = z.object({ id: z.string(), name: z.string(), filter: approvalFilterSchema });

const idArg = z.object({ id: z.number().int().positive() }).strict();
const itemResultSchema = z.object({
  id: z.number().int(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const approvalsCalls = {
  'approvals:list': call(
    z
      .object({
        filter: approvalFilterSchema.default({ status: 'open' }),
        limit: z.number().int().min(1).max(5_000).default(500),
      })
      .strict(),
    z.object({ items: z.array(approvalSchema), total: z.number().int() }),
  ),
  /** Pending items, and how many of them are high priority (for the navigation badge). */
  'approvals:count': call(z.object({}).strict(), z.object({ pending: z.number().int(), high: z.number().int() })),
  'approvals:get': call(idArg, approvalDetailSchema),
  /** Decides one item. Unknown id → NOT_FOUND; decided already → CONFLICT; reject without comment → VALIDATION. */
  'approvals:decide': call(
    z.object({ id: z.number().int().positive(), decision: decisionSchema, comment: commentSchema.optional() }).strict(),
    approvalSchema,
  ),
  /** Decides each item on its own: one refused item does not undo the others. */
  'approvals:decideMany': call(
    z
      .object({
        ids: z.array(z.number().int().positive()).min(1).max(5_000),
        decision: decisionSchema,
        comment: commentSchema.optional(),
      })
      .strict(),
    z.object({ decided: z.number().int(), refused: z.number().int(), results: z.array(itemResultSchema) }),
  ),
  /** Claims for `assignee` (default: the current operator); null releases the claim. */
  'approvals:claim': call(
    z
      .object({ id: z.number().int().positive(), assignee: z.string().trim().min(1).max(100).nullable().optional() })
      .strict(),
    approvalSchema,
  ),
  'approvals:comment': call(
    z.object({ id: z.number().int().positive(), body: z.string().trim().min(1).max(2_000) }).strict(),
    approvalCommentSchema,
  ),
  /** Expired items the operator has not acknowledged yet (including those expired while closed). */
  'approvals:expiredNotice': call(z.object({}).strict(), z.object({ items: z.array(approvalSchema) })),
  'approvals:acknowledgeExpired': call(
    z.object({ ids: z.array(z.number().int().positive()).max(5_000) }).strict(),
    z.object({ acknowledged: z.number().int() }),
  ),
  /** Retries owed n8n resumes now instead of at their next scheduled attempt. */
  'approvals:retryResumes': call(z.object({}).strict(), z.object({ attempted: z.number().int() })),
  'approvals:listRules': call(z.object({}).strict(), z.array(approvalRuleSchema)),
  'approvals:saveRule': call(
    z.object({ id: z.string().min(1).max(100).optional(), rule: approvalRuleInputSchema }).strict(),
    approvalRuleSchema,
  ),
  'approvals:removeRule': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    z.object({ removed: z.boolean() }),
  ),
  /** What a rule (saved or draft) would have done to past decided items; changes nothing. */
  'approvals:dryRunRule': call(
    z.object({ rule: approvalRuleInputSchema, limit: z.number().int().min(1).max(50_000).default(5_000) }).strict(),
    ruleDryRunSchema,
  ),
  /** Applies the enabled rules to every pending item now. */
  'approvals:runRules': call(
    z.object({}).strict(),
    z.object({ approved: z.number().int(), checked: z.number().int() }),
  ),
  'approvals:listViews': call(z.object({}).strict(), z.array(savedViewSchema)),
  'approvals:saveView': call(
    z.object({ name: z.string().trim().min(1).max(60), filter: approvalFilterSchema }).strict(),
    savedViewSchema,
  ),
  'approvals:removeView': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    z.object({ removed: z.boolean() }),
  ),
};

export const approvalsEvents = {
  /** Items were created, decided, claimed, commented, expired or resumed. */
  'approvals:changed': z.object({ ids: z.array(z.number().int()) }),
  /** New items that are still pending after the rules ran (for desktop notifications). */
  'approvals:arrived': z.object({
    items: z.array(z.object({ id: z.number().int(), summary: z.string(), priority: approvalPrioritySchema })),
  }),
  /** Items expired (at start or on the timer); the UI lists them. */
  'approvals:expired': z.object({ ids: z.array(z.number().int()) }),
  /** Rules or saved views changed. */
  'approvals:configChanged': z.object({}),
};
