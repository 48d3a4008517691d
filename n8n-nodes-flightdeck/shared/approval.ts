/**
 * The pure parts of "Flightdeck: Request Approval": the registration body the console's
 * `POST /approvals` takes, the node's own resume URL, and the decision the console POSTs back.
 * No n8n imports, so they are unit-tested on their own.
 */

/** Marks a registration as made by this node: the console shows it with the node's title and fields. */
export const NODE_SOURCE = 'flightdeck-node';

/** n8n's "wait until resumed": its own Wait node uses this date for "no time limit". */
export const WAIT_INDEFINITELY = new Date('3000-01-01T00:00:00.000Z');

/** The console's limits (src/main/core/approvals/wait-registration.ts), checked here first for a clear message. */
export const LIMITS = {
  titleChars: 500,
  summaryChars: 4000,
  fields: 50,
  fieldNameChars: 100,
  fieldValueChars: 2000,
  minExpiryMs: 60_000,
  maxExpiryMs: 90 * 86_400_000,
  allowedUsers: 50,
  userNameChars: 80,
} as const;

/** Console roles that may decide approvals, lowest first (src/shared/contract/auth.ts). */
export const DECIDING_ROLES = ['approver', 'editor', 'admin'] as const;
export type DecidingRole = (typeof DECIDING_ROLES)[number];

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
export type ExpiryUnit = keyof typeof UNIT_MS;
export type Decision = 'approve' | 'reject';

/** A field the approver sees: a label and a plain value. */
export interface ApprovalField {
  name: string;
  value: string | number | boolean | null;
}

/** What the node's parameters say, already evaluated for the first input item. */
export interface ApprovalParameters {
  title: string;
  summary?: string;
  fields?: { name?: unknown; value?: unknown }[];
  priority: number;
  /** ISO date-time (n8n's dateTime parameter) or empty for none. */
  dueAt?: string;
  /** 0 or absent: never expires. */
  expireAfter?: number;
  expireUnit?: ExpiryUnit;
  onExpiry?: Decision;
  /** Console user names who may decide, separated by commas (team mode); empty: anyone who may approve. */
  allowedUsers?: string;
  /** Or accounts with at least this role; empty: no role restriction. */
  allowedRole?: string;
}

/** Where the wait is: n8n's execution and the URL the console resumes it at. */
export interface WaitingExecution {
  executionId: string;
  resumeUrl: string;
  workflowId?: string;
  /** This n8n's id in Flightdeck, when the credential names it. */
  instanceId?: string;
  /** Otherwise this n8n's own base URL (n8n's public webhook address). */
  instanceUrl?: string;
}

/** A parameter the console would refuse: the message names it. */
export class ApprovalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalInputError';
  }
}

function fieldValue(name: string, value: unknown): ApprovalField['value'] {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ApprovalInputError(`Field "${name}" is not a finite number.`);
    return value;
  }
  if (typeof value === 'boolean') return value;
  // Objects and arrays are shown as their JSON text: the inbox lists plain values.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > LIMITS.fieldValueChars) {
    throw new ApprovalInputError(`Field "${name}" is longer than ${LIMITS.fieldValueChars} characters.`);
  }
  return text;
}

/** The fields in their order; empty names are skipped (an empty row in the editor). */
export function approvalFields(rows: ApprovalParameters['fields']): ApprovalField[] {
  const fields: ApprovalField[] = [];
  for (const row of rows ?? []) {
    const name = typeof row.name === 'string' ? row.name.trim() : String(row.name ?? '').trim();
    if (!name) continue;
    if (name.length > LIMITS.fieldNameChars) {
      throw new ApprovalInputError(
        `Field name "${name.slice(0, 40)}…" is longer than ${LIMITS.fieldNameChars} characters.`,
      );
    }
    if (fields.some((f) => f.name === name)) throw new ApprovalInputError(`Field "${name}" is listed twice.`);
    fields.push({ name, value: fieldValue(name, row.value) });
  }
  if (fields.length > LIMITS.fields) throw new ApprovalInputError(`Show at most ${LIMITS.fields} fields.`);
  return fields;
}

/**
 * "Allowed approvers or role" as the console takes it (`allowed` in POST /approvals), or
 * undefined when neither is set: in team mode only these users, or accounts with at least this
 * role, may decide.
 */
export function allowedDeciders(
  users: string | undefined,
  role: string | undefined,
): { users: string[]; role: DecidingRole | null } | undefined {
  const names = [
    ...new Set(
      (users ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    ),
  ];
  for (const name of names) {
    if (name.length > LIMITS.userNameChars)
      throw new ApprovalInputError(
        `Allowed approver "${name.slice(0, 40)}…" is longer than ${LIMITS.userNameChars} characters.`,
      );
  }
  if (names.length > LIMITS.allowedUsers)
    throw new ApprovalInputError(`Name at most ${LIMITS.allowedUsers} allowed approvers.`);
  const wanted = (role ?? '').trim();
  if (wanted !== '' && !(DECIDING_ROLES as readonly string[]).includes(wanted))
    throw new ApprovalInputError(`Unknown role "${wanted}": use ${DECIDING_ROLES.join(', ')} (or leave it empty).`);
  if (names.length === 0 && wanted === '') return undefined;
  return { users: names, role: wanted === '' ? null : (wanted as DecidingRole) };
}

/** Epoch ms of the due time, or undefined when none is set. */
export function dueAtMs(dueAt: string | undefined): number | undefined {
  if (dueAt === undefined || dueAt.trim() === '') return undefined;
  const ms = Date.parse(dueAt);
  if (!Number.isFinite(ms) || ms <= 0) throw new ApprovalInputError(`Due "${dueAt}" is not a date and time.`);
  return ms;
}

/** The expiry the console applies, or undefined for "never". */
export function expiry(
  amount: number | undefined,
  unit: ExpiryUnit = 'hours',
  action: Decision = 'reject',
): { afterMs: number; action: Decision } | undefined {
  if (amount === undefined || amount === 0) return undefined;
  const perUnit = UNIT_MS[unit];
  if (perUnit === undefined) throw new ApprovalInputError(`Unknown expiry unit "${String(unit)}".`);
  const afterMs = Math.round(amount * perUnit);
  if (!Number.isFinite(afterMs) || afterMs < LIMITS.minExpiryMs || afterMs > LIMITS.maxExpiryMs) {
    throw new ApprovalInputError('Expire after must be between 1 minute and 90 days (0: never).');
  }
  if (action !== 'approve' && action !== 'reject')
    throw new ApprovalInputError(`Unknown expiry action "${String(action)}".`);
  return { afterMs, action };
}

/**
 * The JSON body of `POST /approvals` for this wait. `payload` is the fields as one object
 * (name → value), so the console's auto-approval rules can test them (`amount lt 100`).
 */
export function buildRegistration(params: ApprovalParameters, wait: WaitingExecution): Record<string, unknown> {
  const title = params.title.trim();
  if (!title) throw new ApprovalInputError('Give the approval a title: it is what the operator reads in the inbox.');
  if (title.length > LIMITS.titleChars)
    throw new ApprovalInputError(`The title is longer than ${LIMITS.titleChars} characters.`);
  const summary = params.summary?.trim() ?? '';
  if (summary.length > LIMITS.summaryChars) {
    throw new ApprovalInputError(`The summary is longer than ${LIMITS.summaryChars} characters.`);
  }
  if (!Number.isInteger(params.priority) || params.priority < 0 || params.priority > 9) {
    throw new ApprovalInputError('Priority is a whole number from 0 (most urgent) to 9.');
  }
  if (!wait.instanceId && !wait.instanceUrl)
    throw new ApprovalInputError('Neither an instance id nor a base URL is known.');
  const fields = approvalFields(params.fields);
  const due = dueAtMs(params.dueAt);
  const expires = expiry(params.expireAfter, params.expireUnit, params.onExpiry);
  const allowed = allowedDeciders(params.allowedUsers, params.allowedRole);
  return {
    source: NODE_SOURCE,
    ...(wait.instanceId ? { instanceId: wait.instanceId } : { instanceUrl: wait.instanceUrl }),
    executionId: wait.executionId,
    resumeUrl: wait.resumeUrl,
    ...(wait.workflowId ? { workflowId: wait.workflowId } : {}),
    // The console's one-line summary is the inbox title; the node's summary is the longer text.
    summary: title,
    ...(summary ? { description: summary } : {}),
    fields,
    payload: Object.fromEntries(fields.map((f) => [f.name, f.value])),
    priority: params.priority,
    ...(due === undefined ? {} : { dueAtMs: due }),
    ...(expires === undefined ? {} : { expiry: expires }),
    ...(allowed === undefined ? {} : { allowed }),
  };
}

/** The query parameter that carries the node's own resume token (see protocol.resumeToken). */
export const RESUME_TOKEN_PARAM = 'flightdeck';

/**
 * This node's resume URL: n8n's `$execution.resumeUrl` with the node's id as the path suffix
 * (`/webhook-waiting/<execution>/<node id>`, as n8n's own send-and-wait nodes do, so a decision
 * can only resume this node) and the node's token. n8n 2.x's `?signature=…` stays as it is.
 */
export function nodeResumeUrl(executionResumeUrl: string, nodeId: string, token: string): string {
  const url = new URL(executionResumeUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(nodeId)}`;
  url.searchParams.set(RESUME_TOKEN_PARAM, token);
  return url.toString();
}

/**
 * Whether n8n signs its resume URLs (2.x: `$execution.resumeUrl` carries `?signature=`). n8n 1.x
 * does not, and 1.x also resumes a waiting node on its first output only (n8n issue #12823).
 */
export function resumeUrlIsSigned(executionResumeUrl: string): boolean {
  return new URL(executionResumeUrl).searchParams.has('signature');
}

/** What the workflow continues with. */
export interface DecisionItem {
  approved: boolean;
  decision: 'approved' | 'rejected';
  comment: string | null;
  decidedBy: string | null;
  /** ISO time: the console's decision time when it sends one, else when the decision reached n8n. */
  decidedAt: string;
}

/**
 * Reads the console's resume body `{"approved": bool, "comment": "…"|null, "decidedBy": "…"}`;
 * null when it is not one (the node then answers 400 and keeps waiting).
 */
export function readDecision(body: unknown, receivedAt: Date): DecisionItem | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.approved !== 'boolean') return null;
  const text = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
  const at = typeof b.decidedAtMs === 'number' && Number.isFinite(b.decidedAtMs) ? new Date(b.decidedAtMs) : receivedAt;
  return {
    approved: b.approved,
    decision: b.approved ? 'approved' : 'rejected',
    comment: text(b.comment, 10_000),
    decidedBy: text(b.decidedBy, 200),
    decidedAt: at.toISOString(),
  };
}

/** How the node's outputs are laid out. */
export type OutputMode = 'twoOutputs' | 'oneOutput';

/** Which output a decision leaves on: Approved (0) or Rejected (1); everything on 0 with one output. */
export function outputIndex(mode: OutputMode, approved: boolean): number {
  return mode === 'twoOutputs' && !approved ? 1 : 0;
}

/** `items` on the decision's output, the other output empty. */
export function routeDecision<T>(mode: OutputMode, approved: boolean, items: T[]): T[][] {
  const outputs: T[][] = mode === 'twoOutputs' ? [[], []] : [[]];
  outputs[outputIndex(mode, approved)] = items;
  return outputs;
}
