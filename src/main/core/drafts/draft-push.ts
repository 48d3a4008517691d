import type { Draft, DraftPush, MergeReport, PreflightReport, PushConflict } from '../../../shared/contract/drafts';
import { diffWorkflows } from '../../../shared/drafts/workflow-model';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import { toPush, type DraftService, type PushRow } from './draft-service';
import {
  checked,
  definitionOf,
  remoteWorkflowSchema,
  toWorkflowBody,
  type N8nWorkflowsPort,
  type RemoteWorkflow,
} from './n8n-port';
import { createDraftMerger } from './merge-service';
import { preflightAgainst } from './preflight-service';

/**
 * What moved in n8n since the draft was taken; empty when nothing did. versionId alone is not
 * enough on n8n 2.x: a rename or a settings change keeps it and moves only updatedAt (seen on
 * 2.41.1). n8n's versionCounter is not compared: 1.123 bumps it on every (de)activation too,
 * and on 2.x it moves only with a new versionId, so it would add false conflicts and no signal.
 */
export function remoteChanges(draft: Draft, remote: RemoteWorkflow | null): PushConflict['reasons'] {
  if (remote === null) return ['deleted'];
  const reasons: PushConflict['reasons'] = [];
  if (remote.versionId !== draft.baseVersionId) reasons.push('versionId');
  if (draft.baseUpdatedAtMs !== null && remote.updatedAtMs !== draft.baseUpdatedAtMs) reasons.push('updatedAt');
  return reasons;
}

/** Replay backoff: 5 s, 10 s, 20 s… capped at 5 min (ms). */
export const pushBackoffMs = (attempts: number) => Math.min(5_000 * 2 ** attempts, 300_000);

const unknownInstance = (id: string) =>
  new AppError('VALIDATION', `Unknown instance ${id}: add it under Instances, then push again.`);

/** What a push says after applying a clean three-way merge to the draft. */
const mergedNote = (changes: number) =>
  changes === 0
    ? "n8n's version adds nothing to your draft: the draft now builds on it; review it and push again."
    : `Your draft and n8n's changes merged by themselves (${changes} change${changes === 1 ? '' : 's'}): the draft is now the merged result; review it and push again.`;

/**
 * Pushing drafts to n8n. Every push is a row in draft_pushes: done, conflict (waits for the
 * operator), failed, or queued (instance unreachable; replayed by `replayDue` with backoff).
 */
export function createDraftPusher(ctx: CoreContext, drafts: DraftService, port: N8nWorkflowsPort) {
  const { db } = ctx.store;
  const selectPush = db.prepare('SELECT * FROM draft_pushes WHERE id = ?');
  const due = db.prepare(
    "SELECT * FROM draft_pushes WHERE status = 'queued' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id",
  );
  const setOutcome = db.prepare(`UPDATE draft_pushes SET status = @status, attempts = @attempts,
    next_attempt_at_ms = @next, last_error = @error, remote_workflow_id = @remote, updated_at_ms = @now WHERE id = @id`);
  /** Drafts with a push in flight: the replay loop and the operator never push one twice at once. */
  const busy = new Set<string>();
  const merger = createDraftMerger(ctx, drafts);

  function conflict(
    draft: Draft,
    remote: RemoteWorkflow | null,
    reasons: PushConflict['reasons'],
    merge: MergeReport | null,
  ): AppError {
    const theirs = remote ? definitionOf(remote) : null;
    const details: PushConflict = {
      draftId: draft.id,
      baseVersionId: draft.baseVersionId,
      remoteVersionId: remote?.versionId ?? null,
      remoteUpdatedAtMs: remote?.updatedAtMs ?? null,
      reasons,
      mine: draft.workflow,
      theirs,
      diff: theirs ? diffWorkflows(draft.workflow, theirs) : null,
      merge,
    };
    const what = remote
      ? `n8n has a newer version of "${remote.name}" (${reasons.includes('versionId') ? 'its nodes or connections changed' : 'saved again: renamed or settings changed'} since this draft was taken)`
      : `the workflow was deleted in n8n since this draft was taken`;
    const next = !merge
      ? 'Compare both sides, then keep yours or take theirs.'
      : merge.applied
        ? mergedNote(merge.changes.length)
        : `${merge.conflicts.length} change(s) overlap: resolve them in the merge view, or keep yours or take theirs.`;
    return new AppError('CONFLICT', `Not pushed: ${what}. ${next}`, { details });
  }

  /** One push to n8n; throws CONFLICT instead of overwriting a remote that moved on. */
  async function pushNow(draft: Draft, instanceId: string, override: boolean): Promise<RemoteWorkflow> {
    const body = toWorkflowBody(draft.workflow);
    if (!draft.remoteWorkflowId) {
      return checked(remoteWorkflowSchema, await port.createWorkflow(instanceId, body), 'the created workflow');
    }
    let remote: RemoteWorkflow | null;
    try {
      remote = await drafts.fetchRemote(instanceId, draft.remoteWorkflowId);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'N8N_NOT_FOUND') throw error;
      remote = null;
    }
    const reasons = remoteChanges(draft, remote);
    // A moved remote: the three-way merge is computed (and applied when clean) for the operator.
    if (!override && reasons.length > 0)
      throw conflict(draft, remote, reasons, remote ? merger.mergeWith(draft, remote) : null);
    const saved = remote
      ? await port.updateWorkflow(instanceId, remote.id, body)
      : await port.createWorkflow(instanceId, body);
    return checked(remoteWorkflowSchema, saved, 'the saved workflow');
  }

  function finish(
    row: PushRow,
    status: DraftPush['status'],
    fields: { error?: string; remote?: string; next?: number; attempts: number },
  ) {
    setOutcome.run({
      id: row.id,
      status,
      attempts: fields.attempts,
      next: fields.next ?? row.next_attempt_at_ms,
      error: fields.error ?? null,
      remote: fields.remote ?? row.remote_workflow_id,
      now: ctx.clock.now(),
    });
  }

  /** Tries one push row once and records the outcome. Rethrows CONFLICT and permanent errors. */
  async function attempt(row: PushRow): Promise<DraftPush> {
    const draft = drafts.get(row.draft_id);
    const tries = row.attempts + 1;
    busy.add(draft.id);
    try {
      // A draft restored from another machine may name an instance this one does not have.
      if (!(await port.listInstances()).some((i) => i.id === row.instance_id)) throw unknownInstance(row.instance_id);
      if (!(await port.isReachable(row.instance_id))) {
        throw new AppError('N8N_UNREACHABLE', `Instance ${row.instance_id} is unreachable.`, { retryable: true });
      }
      const saved = await pushNow(draft, row.instance_id, row.override === 1);
      ctx.store.write((announce) => {
        finish(row, 'done', { attempts: tries, remote: saved.id });
        // Re-read: the operator may have edited while the push was in flight; those edits stay.
        drafts.saveRow(drafts.get(draft.id), {
          remoteWorkflowId: saved.id,
          instanceId: row.instance_id,
          baseVersionId: saved.versionId,
          baseUpdatedAtMs: saved.updatedAtMs,
          baseKind: 'draft',
        });
        const pushed = definitionOf(saved);
        drafts.saveBase(draft.id, pushed);
        drafts.keepVersion(
          draft.id,
          'push',
          saved,
          pushed,
          row.override === 1 ? 'overwrote a newer version in n8n' : null,
        );
        drafts.record(announce, 'draft.push', draft.id, {
          requestedBy: row.requested_by ?? null,
          instanceId: row.instance_id,
          workflowId: saved.id,
          versionId: saved.versionId,
          override: row.override === 1,
        });
      });
    } catch (error) {
      const e = error instanceof AppError ? error : new AppError('INTERNAL', (error as Error).message);
      const retry = e.retryable || e.code === 'N8N_UNREACHABLE' || e.code === 'N8N_RATE_LIMITED';
      ctx.store.write((announce) => {
        if (retry) {
          finish(row, 'queued', {
            attempts: tries,
            error: e.message,
            next: ctx.clock.now() + pushBackoffMs(row.attempts),
          });
        } else finish(row, e.code === 'CONFLICT' ? 'conflict' : 'failed', { attempts: tries, error: e.message });
        announce('drafts:changed', { ids: [draft.id] });
      });
      if (!retry) throw e;
    } finally {
      busy.delete(draft.id);
    }
    return toPush(selectPush.get(row.id) as PushRow);
  }

  /** The operator's push: tried now; queued when the instance is unreachable. */
  async function push(id: string, override: boolean) {
    const draft = drafts.get(id);
    if (!draft.instanceId) throw new AppError('VALIDATION', `Choose the instance to push "${draft.workflow.name}" to.`);
    if (draft.issues.length > 0) {
      const first = draft.issues
        .map((i) => i.message)
        .slice(0, 3)
        .join(' ');
      throw new AppError('VALIDATION', `Fix the draft before pushing: ${first}`, { details: draft.issues });
    }
    if (busy.has(id))
      throw new AppError('CONFLICT', 'A push of this draft is already in flight; wait for it.', { retryable: true });
    const instanceId = draft.instanceId;
    // Refused before a push row exists: bad input changes nothing (replays re-check in `attempt`).
    if (!(await port.listInstances()).some((i) => i.id === instanceId)) throw unknownInstance(instanceId);
    const row = ctx.store.write((announce) => {
      const now = ctx.clock.now();
      const info = db
        .prepare(
          `INSERT INTO draft_pushes (draft_id, instance_id, override, status, attempts, next_attempt_at_ms,
          requested_by, created_at_ms, updated_at_ms) VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)`,
        )
        .run(id, instanceId, override ? 1 : 0, now, ctx.operator(), now, now);
      announce('drafts:changed', { ids: [id] });
      return selectPush.get(info.lastInsertRowid) as PushRow;
    });
    // The dry run's check, reported with the push (it never blocks or delays it: the operator
    // saw the pre-flight before pushing). A failed check leaves the push alone.
    const preflight = preflightAgainst(port, instanceId, [
      { workflowId: draft.remoteWorkflowId, name: draft.workflow.name, nodes: draft.workflow.nodes },
    ]).catch((error: unknown): PreflightReport | null => {
      ctx.logger.warn('Pre-flight of a push failed', { draftId: id, error: (error as Error).message });
      return null;
    });
    const pushed = await attempt(row);
    return { push: pushed, draft: drafts.get(id), preflight: await preflight };
  }

  /** Replays queued pushes whose backoff has passed. Returns how many were tried. */
  async function replayDue(): Promise<number> {
    const rows = (due.all(ctx.clock.now()) as PushRow[]).filter((r) => !busy.has(r.draft_id));
    for (const row of rows) {
      try {
        await attempt(row);
      } catch (error) {
        // The outcome (conflict or failure) is recorded on the row for the operator to see.
        ctx.logger.warn('A queued draft push did not go through', { pushId: row.id, error: (error as Error).message });
      }
    }
    return rows.length;
  }

  function list(draftId?: string): DraftPush[] {
    const rows = draftId
      ? db.prepare('SELECT * FROM draft_pushes WHERE draft_id = ? ORDER BY id DESC LIMIT 200').all(draftId)
      : db.prepare('SELECT * FROM draft_pushes ORDER BY id DESC LIMIT 200').all();
    return (rows as PushRow[]).map(toPush);
  }

  return { push, replayDue, list };
}

export type DraftPusher = ReturnType<typeof createDraftPusher>;
