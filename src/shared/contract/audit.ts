import { z } from 'zod';
import { call } from './define';

export const auditEntrySchema = z.object({
  id: z.number().int(),
  atMs: z.number().int(),
  /** Operator name, `rule:<id>` for automatic decisions, `system` or `scheduler`. */
  actor: z.string(),
  /** Dotted verb: `settings.update`, `approval.approve`, `execution.retry`… */
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  /** Why, in the operator's or the rule's words. */
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** First entry whose hash does not match its content or its predecessor (tampering). */
  firstBadId: z.number().int().nullable(),
  message: z.string(),
});
export type AuditVerify = z.infer<typeof auditVerifySchema>;

export const auditCalls = {
  'audit:list': call(
    z
      .object({
        /** Entries with id below this (paging backwards from the newest). */
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
        targetType: z.string().max(50).optional(),
        targetId: z.string().max(200).optional(),
        action: z.string().max(100).optional(),
        /** Entries by this actor only (a user name, `system`, `rule:<id>`). */
        actor: z.string().max(100).optional(),
      })
      .strict(),
    z.object({ entries: z.array(auditEntrySchema), nextBeforeId: z.number().int().nullable() }),
  ),
  'audit:verify': call(z.object({}).strict(), auditVerifySchema),
  /** Every action and target type recorded so far, sorted: the audit area's filters. */
  'audit:kinds': call(
    z.object({}).strict(),
    z.object({ actions: z.array(z.string()), targetTypes: z.array(z.string()) }),
  ),
};

export const auditEvents = {
  /** A new entry was committed. */
  'audit:appended': auditEntrySchema,
};
