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

/**
 * What the audit log can be ordered by: `time` is the order entries were recorded (the entry id,
 * the chain's own order: a clock set back does not reorder the log), `actor`, `action` and
 * `target` (kind, then id) sort by that text. Ties break on the entry id, in the same direction.
 */
export const auditOrderBySchema = z.enum(['time', 'actor', 'action', 'target']);
export type AuditOrderBy = z.infer<typeof auditOrderBySchema>;
export const auditOrderSchema = z.object({ by: auditOrderBySchema, direction: z.enum(['asc', 'desc']) }).strict();
export type AuditOrder = z.infer<typeof auditOrderSchema>;
/** Newest first: the order without `order`. */
export const AUDIT_NEWEST_FIRST: AuditOrder = { by: 'time', direction: 'desc' };

/** `<by>.<direction>.<entry id>`: the page after that entry, in that order. */
export const auditCursorSchema = z
  .string()
  .max(40)
  .regex(
    /^(time|actor|action|target)\.(asc|desc)\.[1-9]\d{0,15}$/,
    'Invalid cursor: pass the nextCursor of the previous page unchanged, with the same order and filters.',
  );

export const auditCalls = {
  /**
   * Newest first, or in `order`. Page on with `cursor` (the previous answer's `nextCursor`, with the
   * same order and filters): keyset paging, so entries recorded meanwhile neither repeat nor go missing.
   */
  'audit:list': call(
    z
      .object({
        /** Only entries with id below this (newest first, `nextBeforeId` pages on; a filter in other orders). */
        beforeId: z.number().int().positive().optional(),
        order: auditOrderSchema.optional(),
        cursor: auditCursorSchema.optional(),
        limit: z.number().int().min(1).max(500).default(100),
        targetType: z.string().max(50).optional(),
        targetId: z.string().max(200).optional(),
        action: z.string().max(100).optional(),
        /** Entries by this actor only (a user name, `system`, `rule:<id>`). */
        actor: z.string().max(100).optional(),
      })
      .strict(),
    z.object({
      entries: z.array(auditEntrySchema),
      /** The next page newest first (as `beforeId`); null in other orders, or at the end. */
      nextBeforeId: z.number().int().nullable(),
      /** The next page in this order (as `cursor`); null at the end. */
      nextCursor: z.string().nullable(),
    }),
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
