/**
 * One identity per run, written the same way everywhere an operator reads it: lists, details,
 * the inbox, metrics drill-downs, the audit log, notifications, CLI output and exports.
 *
 * Two namespaces that never share a `#`:
 * - `FD-29`: a run this console created (its local run id, the value n8n receives in the
 *   `X-Flightdeck-Execution-Id` header). It never changes, also not once n8n's execution is known.
 * - `n8n #812`: an execution numbered by n8n, which only means something together with its
 *   instance (`on prod`): two instances both have a `#812`.
 * A local run that n8n started shows both: `FD-29 → n8n #812 on prod`.
 */

/** The prefix of a local run number. */
export const LOCAL_RUN_PREFIX = 'FD-';

/** What the formatter needs to know of a run (any execution row of the contract has these). */
export interface RunIdentityFields {
  /** Local row id: a local run's number. */
  id: number;
  source: 'local' | 'remote';
  /** n8n's execution id, once known. */
  remoteId: string | null;
  instanceId: string | null;
}

/** Names an instance id; null (or no function) when the name is not known. */
export type InstanceNamer = ((instanceId: string | null) => string | null | undefined) | undefined;

/** `FD-29`. */
export const localRunNumber = (id: number): string => `${LOCAL_RUN_PREFIX}${id}`;

/** `n8n #812`. */
export const n8nExecutionNumber = (remoteId: string): string => `n8n #${remoteId}`;

/** The pieces of a run's identity, for views that lay them out themselves. */
export interface RunIdentity {
  /** The run's own number: `FD-29` for local runs, `n8n #812` for executions synced from n8n. */
  primary: string;
  /** For a local run that n8n started: `n8n #812`; otherwise null. */
  linked: string | null;
  /** The instance's name (or id when the name is unknown); null when the run has none. */
  instance: string | null;
  /** Everything in one line: `FD-29 → n8n #812 on prod`, `FD-30`, `n8n #812 on prod`. */
  text: string;
  /** Without the instance: `FD-29 → n8n #812`, `n8n #812`. For lineage lines and tight cells. */
  short: string;
}

export function runIdentity(run: RunIdentityFields, instanceName?: InstanceNamer): RunIdentity {
  const instance = run.instanceId === null ? null : (instanceName?.(run.instanceId) ?? run.instanceId);
  const on = instance ? ` on ${instance}` : '';
  if (run.source === 'local') {
    const primary = localRunNumber(run.id);
    const linked = run.remoteId === null ? null : n8nExecutionNumber(run.remoteId);
    return {
      primary,
      linked,
      instance,
      text: linked ? `${primary} → ${linked}${on}` : primary,
      short: linked ? `${primary} → ${linked}` : primary,
    };
  }
  // A synced execution without an n8n id cannot exist (the sync keys on it); say so plainly.
  const primary = run.remoteId === null ? `n8n execution (row ${run.id})` : n8nExecutionNumber(run.remoteId);
  return { primary, linked: null, instance, text: `${primary}${on}`, short: primary };
}

/** `FD-29 → n8n #812 on prod`: the one-line identity of a run. */
export const formatRun = (run: RunIdentityFields, instanceName?: InstanceNamer): string =>
  runIdentity(run, instanceName).text;

/** `FD-29 → n8n #812` (no instance): for lineage lines, where the instance is said once. */
export const formatRunShort = (run: RunIdentityFields): string => runIdentity(run).short;

/** Local run ids as an operator reads them: `FD-29, FD-30`. */
export const formatLocalRuns = (ids: readonly number[]): string => ids.map(localRunNumber).join(', ');

/**
 * What a search text says about a run number, or null when it is not a run number.
 * - `FD-29`, `fd29`: local run 29 only.
 * - `n8n #812`, `n8n 812`: n8n execution 812 only (on any instance).
 * - `29`, `#29`: either (a local run 29 or an n8n execution 29).
 * A pasted one-line identity (`FD-29 → n8n #812 on prod`) finds the local run.
 */
export interface RunNumberQuery {
  localId: number | null;
  remoteId: string | null;
}

// Up to 15 digits: always a safe integer, and no n8n instance numbers beyond that.
const LOCAL = /^fd-?\s*(\d{1,15})\b/i;
const N8N = /^n8n\s*#?\s*(\d{1,15})$/i;
const BARE = /^#?\s*(\d{1,15})$/;

export function parseRunNumber(text: string): RunNumberQuery | null {
  const value = text.trim();
  const local = LOCAL.exec(value);
  if (local?.[1]) {
    const id = Number(local[1]);
    return id > 0 ? { localId: id, remoteId: null } : null;
  }
  const n8n = N8N.exec(value);
  if (n8n?.[1]) return { localId: null, remoteId: String(BigInt(n8n[1])) };
  const bare = BARE.exec(value);
  if (bare?.[1]) {
    const id = Number(bare[1]);
    return { localId: id > 0 ? id : null, remoteId: String(BigInt(bare[1])) };
  }
  return null;
}
