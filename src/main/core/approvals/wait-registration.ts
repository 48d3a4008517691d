import { z } from 'zod';
import {
  allowedDecidersSchema,
  APPROVAL_SOURCES,
  approvalFieldSchema,
  approvalPrioritySchema,
  decisionSchema,
} from '../../../shared/contract/approvals';

/**
 * The body an n8n workflow POSTs to /approvals before its Wait node (documented in the README).
 * `executionId` and `resumeUrl` are n8n's `$execution.id` and `$execution.resumeUrl`.
 */
export const waitRegistrationSchema = z
  .object({
    /** The Flightdeck id of the n8n instance (Instances → the instance → its id). Preferred. */
    instanceId: z.string().min(1).max(100).optional(),
    /**
     * Or the instance's address (or its public webhook URL), path prefix included; refused when
     * it fits more than one instance (two instances behind one proxy): send instanceId then.
     */
    instanceUrl: z.string().url().max(500).optional(),
    executionId: z
      .union([z.string().regex(/^[A-Za-z0-9_-]{1,100}$/), z.number().int().nonnegative()])
      .transform(String),
    resumeUrl: z.string().url().max(2_000),
    workflowId: z.string().min(1).max(100).optional(),
    /** One line for the inbox. */
    summary: z.string().trim().min(1).max(500),
    /** What the approver needs to see (shown in the detail pane; rules test its fields). */
    payload: z.unknown().optional(),
    priority: approvalPrioritySchema.default(5),
    /** When a person should have decided by, epoch ms. */
    dueAtMs: z.number().int().positive().optional(),
    /** After `afterMs` undecided, `action` is taken automatically. */
    expiry: z
      .object({
        afterMs: z
          .number()
          .int()
          .min(60_000)
          .max(90 * 86_400_000),
        action: decisionSchema,
      })
      .strict()
      .optional(),
    /**
     * The n8n node "Flightdeck: Request Approval" marks its registrations `flightdeck-node`: the
     * inbox shows them as its own, with `summary` as the title and the fields below.
     */
    source: z.enum(APPROVAL_SOURCES).optional(),
    /** A longer text than the one-line summary, shown under it. */
    description: z.string().trim().max(4_000).optional(),
    /** Values to show beside the title, in order (unique names). */
    fields: z
      .array(approvalFieldSchema)
      .max(50)
      .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, 'Field names must be unique.')
      .optional(),
    /**
     * Who may decide it in team mode: these user names, or accounts with at least this role
     * (either suffices). Absent, or both empty: whoever may decide approvals.
     */
    allowed: allowedDecidersSchema.optional(),
  })
  .strict()
  .refine((r) => r.instanceId !== undefined || r.instanceUrl !== undefined, {
    message: 'Name the n8n instance: send instanceId or instanceUrl.',
    path: ['instanceId'],
  });
export type WaitRegistration = z.input<typeof waitRegistrationSchema>;
