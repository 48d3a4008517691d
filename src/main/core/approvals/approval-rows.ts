import type Database from 'better-sqlite3';
import {
  allowedDecidersSchema,
  type AllowedDeciders,
  type Approval,
  type ApprovalField,
  type ApprovalFilter,
} from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';

/** A row of the approvals table, as SQLite returns it. */
export interface ApprovalRow {
  id: number;
  kind: 'gate' | 'wait';
  status: Approval['status'];
  decision: 'approve' | 'reject' | null;
  execution_id: number | null;
  remote_execution_id: string | null;
  instance_id: string | null;
  workflow_id: string | null;
  mapping_id: string | null;
  event: string | null;
  resume_url: string | null;
  summary: string;
  payload_json: string;
  priority: number;
  due_at_ms: number | null;
  expires_at_ms: number | null;
  expiry_action: 'approve' | 'reject' | null;
  expiry_seen: number;
  assignee: string | null;
  claimed_at_ms: number | null;
  decided_by: string | null;
  decided_at_ms: number | null;
  decision_comment: string | null;
  rule_id: string | null;
  explanation: string | null;
  resume_state: Approval['resumeState'];
  resume_body_json: string | null;
  resume_attempts: number;
  resume_next_at_ms: number | null;
  resume_http_status: number | null;
  resume_error: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  source: Approval['source'];
  description: string | null;
  fields_json: string | null;
  allowed_json: string | null;
}

/** The stored "who may decide", re-validated on read (a hand-edited row reads as no restriction, never a crash). */
export function allowedOf(json: string | null | undefined): AllowedDeciders | null {
  if (!json) return null;
  try {
    const parsed = allowedDecidersSchema.safeParse(JSON.parse(json));
    return parsed.success && (parsed.data.users.length > 0 || parsed.data.role !== null) ? parsed.data : null;
  } catch {
    return null;
  }
}

const fieldsOf = (json: string | null): ApprovalField[] | null =>
  json === null ? null : (JSON.parse(json) as ApprovalField[]);

export const toApproval = (r: ApprovalRow): Approval => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  decision: r.decision,
  executionId: r.execution_id,
  remoteExecutionId: r.remote_execution_id,
  instanceId: r.instance_id,
  workflowId: r.workflow_id,
  mappingId: r.mapping_id,
  event: r.event,
  summary: r.summary,
  payload: JSON.parse(r.payload_json) as unknown,
  priority: r.priority,
  dueAtMs: r.due_at_ms,
  expiresAtMs: r.expires_at_ms,
  expiryAction: r.expiry_action,
  assignee: r.assignee,
  decidedBy: r.decided_by,
  decidedAtMs: r.decided_at_ms,
  comment: r.decision_comment,
  ruleId: r.rule_id,
  explanation: r.explanation,
  resumeState: r.resume_state,
  resumeError: r.resume_error,
  resumeAttempts: r.resume_attempts,
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
  source: r.source ?? null,
  description: r.description ?? null,
  fields: fieldsOf(r.fields_json),
  allowed: allowedOf(r.allowed_json),
});

/** What a new item is made of (both kinds). */
export interface NewApproval {
  kind: 'gate' | 'wait';
  executionId: number | null;
  remoteExecutionId: string | null;
  instanceId: string | null;
  workflowId: string | null;
  mappingId: string | null;
  event: string | null;
  resumeUrl: string | null;
  summary: string;
  payload: unknown;
  priority: number;
  dueAtMs: number | null;
  expiresAtMs: number | null;
  expiryAction: 'approve' | 'reject' | null;
  /** Waits registered by the n8n node: its marker, longer text and fields to show. */
  source?: Approval['source'];
  description?: string | null;
  fields?: ApprovalField[] | null;
  /** Who may decide it in team mode; null or absent: whoever may decide approvals. */
  allowed?: AllowedDeciders | null;
}

/** The decision columns written in one UPDATE guarded by status = 'pending'. */
export interface DecisionWrite {
  id: number;
  status: 'approved' | 'rejected' | 'expired';
  decision: 'approve' | 'reject';
  decidedBy: string;
  comment: string | null;
  ruleId: string | null;
  explanation: string | null;
  /** Waits only: the body owed to n8n (resume_state becomes 'resuming'). */
  resumeBody: string | null;
  now: number;
}

export function approvalRows(db: Database.Database) {
  const byId = db.prepare('SELECT * FROM approvals WHERE id = ?');
  const insert = db.prepare(`INSERT INTO approvals (kind, status, execution_id, remote_execution_id, instance_id,
      workflow_id, mapping_id, event, resume_url, summary, payload_json, priority, due_at_ms, expires_at_ms,
      expiry_action, source, description, fields_json, allowed_json, created_at_ms, updated_at_ms)
    VALUES (@kind, 'pending', @executionId, @remoteExecutionId, @instanceId, @workflowId, @mappingId, @event,
      @resumeUrl, @summary, @payloadJson, @priority, @dueAtMs, @expiresAtMs, @expiryAction, @source, @description,
      @fieldsJson, @allowedJson, @now, @now)`);
  const decide = db.prepare(`UPDATE approvals SET status = @status, decision = @decision, decided_by = @decidedBy,
      decided_at_ms = @now, decision_comment = @comment, rule_id = @ruleId, explanation = @explanation,
      resume_state = CASE WHEN @resumeBody IS NULL THEN NULL ELSE 'resuming' END,
      resume_body_json = @resumeBody, resume_next_at_ms = CASE WHEN @resumeBody IS NULL THEN NULL ELSE @now END,
      updated_at_ms = @now
    WHERE id = @id AND status = 'pending'`);

  function get(id: number): ApprovalRow {
    const row = byId.get(id) as ApprovalRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No approval with id ${id}; refresh the inbox.`);
    return row;
  }

  function list(filter: ApprovalFilter, operator: string, now: number, limit: number) {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit, now };
    const statusSql: Record<ApprovalFilter['status'], string | null> = {
      open: "status = 'pending'",
      decided: "status != 'pending'",
      all: null,
      pending: "status = 'pending'",
      approved: "status = 'approved'",
      rejected: "status = 'rejected'",
      expired: "status = 'expired'",
    };
    const s = statusSql[filter.status];
    if (s) where.push(s);
    const add = (sql: string, key: string, value: unknown) => {
      where.push(sql);
      params[key] = value;
    };
    if (filter.kind) add('kind = @kind', 'kind', filter.kind);
    if (filter.instanceId) add('instance_id = @instanceId', 'instanceId', filter.instanceId);
    if (filter.assignee === 'none') where.push('assignee IS NULL');
    else if (filter.assignee)
      add('assignee = @assignee', 'assignee', filter.assignee === 'me' ? operator : filter.assignee);
    if (filter.maxPriority !== undefined) add('priority <= @maxPriority', 'maxPriority', filter.maxPriority);
    if (filter.overdue) where.push('due_at_ms IS NOT NULL AND due_at_ms <= @now');
    if (filter.text) {
      where.push("(summary LIKE @text ESCAPE '\\' OR event LIKE @text ESCAPE '\\')");
      params.text = `%${filter.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const order =
      filter.status === 'open' || filter.status === 'pending'
        ? 'ORDER BY priority, COALESCE(due_at_ms, expires_at_ms, 9e15), created_at_ms, id'
        : 'ORDER BY COALESCE(decided_at_ms, created_at_ms) DESC, id DESC';
    const rows = db.prepare(`SELECT * FROM approvals ${clause} ${order} LIMIT @limit`).all(params) as ApprovalRow[];
    const total = (db.prepare(`SELECT count(*) FROM approvals ${clause}`).pluck().get(params) as number) ?? 0;
    return { items: rows.map(toApproval), total };
  }

  return {
    get,
    find: (id: number) => byId.get(id) as ApprovalRow | undefined,
    list,
    insert(item: NewApproval, now: number): number {
      const { payload, source, description, fields, allowed, ...rest } = item;
      return Number(
        insert.run({
          ...rest,
          payloadJson: JSON.stringify(payload ?? null),
          source: source ?? null,
          description: description ?? null,
          fieldsJson: fields ? JSON.stringify(fields) : null,
          allowedJson: allowed && (allowed.users.length > 0 || allowed.role !== null) ? JSON.stringify(allowed) : null,
          now,
        }).lastInsertRowid,
      );
    },
    /** True when the row was still pending (and is now decided). */
    decide: (d: DecisionWrite): boolean => decide.run(d).changes === 1,
  };
}

export type ApprovalRows = ReturnType<typeof approvalRows>;
