/**
 * Promotion between instances: the dry run (plan), the promotion as one recorded operation, and
 * its rollback. Every n8n call goes through the PromotionPort; the record (0025) keeps what the
 * target had before each write and what it held right after, so a rollback can put it back and
 * refuse when someone changed the target since.
 */
import { z } from 'zod';
import type {
  Promotion,
  PromotionActivation,
  PromotionItem,
  PromotionPlan,
  WorkflowDefinition,
  WorkflowVersionKind,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { checked, definitionOf, remoteWorkflowSchema, toWorkflowBody, type RemoteWorkflow } from '../drafts/n8n-port';
import { preflightAgainst, restorableDefinition } from '../drafts/preflight-service';
import { planPromotion, type PlannedWorkflow } from './plan';
import type { PromotionPort } from './promote-port';
import type { Variables } from './variables';
import { outcomeUnknown } from './write-outcome';

export interface Selection {
  sourceInstanceId: string;
  targetInstanceId: string;
  workflowIds: string[];
  version: WorkflowVersionKind;
}

interface PromotionRow {
  id: number;
  actor: string;
  created_at_ms: number;
  source_instance_id: string;
  target_instance_id: string;
  version: WorkflowVersionKind;
  activation: PromotionActivation;
  status: Promotion['status'];
  rolled_back_at_ms: number | null;
  rolled_back_by: string | null;
}

interface ItemRow {
  id: number;
  promotion_id: number;
  position: number;
  source_workflow_id: string;
  name: string;
  action: PromotionItem['action'];
  target_workflow_id: string | null;
  previous_json: string | null;
  active_before: number | null;
  active_after: number | null;
  after_version_id: string | null;
  after_updated_at_ms: number | null;
  error: string | null;
  rollback: string | null;
}

const flag = (v: number | null) => (v === null ? null : v === 1);
const bit = (v: boolean | null | undefined) => (v === null || v === undefined ? null : v ? 1 : 0);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const unknownNote = (what: string, error: unknown) =>
  `The outcome of ${what} is unknown (the promotion stopped here): ${messageOf(error)} n8n may have applied it; a rollback checks the target and undoes it if so.`;

/** What writeOne did to one workflow (`ended`: the promotion stops after it). */
interface Written {
  action: Exclude<PromotionItem['action'], 'failed'>;
  /** Null: a creation whose outcome is unknown (the rollback looks it up by name). */
  id: string | null;
  /** The target workflow right after; null when it could not be read (the rollback cannot tell edits since). */
  after: RemoteWorkflow | null;
  error: string | null;
  ended: boolean;
}

/** How many promotions the list shows. */
export const PROMOTIONS_LISTED = 100;

export function createPromotions(ctx: CoreContext, audit: AuditLog, port: PromotionPort, variables?: Variables) {
  const { db } = ctx.store;
  const selectOne = db.prepare('SELECT * FROM promotions WHERE id = ?');
  const selectItems = db.prepare('SELECT * FROM promotion_items WHERE promotion_id = ? ORDER BY position');
  const insertItem = db.prepare(`INSERT INTO promotion_items (promotion_id, position, source_workflow_id, name, action,
    target_workflow_id, previous_json, active_before, active_after, after_version_id, after_updated_at_ms, error)
    VALUES (@promotionId, @position, @sourceWorkflowId, @name, @action, @targetWorkflowId, @previous, @activeBefore,
    @activeAfter, @afterVersionId, @afterUpdatedAtMs, @error)`);

  /** Targets with a promotion or rollback in flight: one at a time per target, in this process. */
  const busy = new Set<string>();

  async function exclusive<T>(target: string, run: () => Promise<T>): Promise<T> {
    if (busy.has(target))
      throw new AppError(
        'CONFLICT',
        `A promotion or rollback into instance ${target} is running; wait for it to finish.`,
        { retryable: true },
      );
    busy.add(target);
    try {
      return await run();
    } finally {
      busy.delete(target);
    }
  }

  /**
   * Promotions left `running` by a process that stopped mid-way (or restored from a backup taken
   * then) become `partial`: what they recorded can be rolled back; a workflow being written at
   * that moment may be on the target without a record.
   */
  function recoverInterrupted(): number {
    return ctx.store.write((announce) => {
      const ids = db.prepare("SELECT id FROM promotions WHERE status = 'running'").pluck().all() as number[];
      for (const id of ids) {
        db.prepare("UPDATE promotions SET status = 'partial' WHERE id = ?").run(id);
        announce('promotions:changed', { id });
      }
      return ids.length;
    });
  }

  function toPromotion(row: PromotionRow): Promotion {
    const items = (selectItems.all(row.id) as ItemRow[]).map((i): PromotionItem => ({
      sourceWorkflowId: i.source_workflow_id,
      name: i.name,
      action: i.action,
      targetWorkflowId: i.target_workflow_id,
      activeBefore: flag(i.active_before),
      activeAfter: flag(i.active_after),
      error: i.error,
      rollback: i.rollback,
    }));
    return {
      id: row.id,
      actor: row.actor,
      createdAtMs: row.created_at_ms,
      sourceInstanceId: row.source_instance_id,
      targetInstanceId: row.target_instance_id,
      version: row.version,
      activation: row.activation,
      status: row.status,
      items,
      rolledBackAtMs: row.rolled_back_at_ms,
      rolledBackBy: row.rolled_back_by,
    };
  }

  function get(id: number): Promotion {
    const row = selectOne.get(id) as PromotionRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No promotion ${id}.`);
    return toPromotion(row);
  }

  function list(): Promotion[] {
    const rows = db.prepare('SELECT * FROM promotions ORDER BY id DESC LIMIT ?').all(PROMOTIONS_LISTED);
    return (rows as PromotionRow[]).map(toPromotion);
  }

  /** Both instances exist and differ; their names (for the plan's sentences). */
  async function checkInstances(selection: Selection): Promise<{ source: string; target: string }> {
    const known = new Map((await port.listInstances()).map((i) => [i.id, i.name]));
    for (const id of [selection.sourceInstanceId, selection.targetInstanceId])
      if (!known.has(id)) throw new AppError('VALIDATION', `Unknown instance ${id}: add it under Instances first.`);
    if (selection.sourceInstanceId === selection.targetInstanceId)
      throw new AppError('VALIDATION', 'Choose two different instances: a promotion goes from one to another.');
    return { source: known.get(selection.sourceInstanceId)!, target: known.get(selection.targetInstanceId)! };
  }

  /** The plan with what promote needs beside it (definitions to write, the target's workflows). */
  async function computePlan(selection: Selection): Promise<{ plan: PromotionPlan; planned: PlannedWorkflow[] }> {
    const names = await checkInstances(selection);
    const { sourceInstanceId: source, targetInstanceId: target, version } = selection;
    const workflows = z.array(remoteWorkflowSchema);
    const [sourceAll, targetAll] = await Promise.all([
      port.listWorkflows(source).then((w) => checked(workflows, w, 'the source workflows')),
      port.listWorkflows(target).then((w) => checked(workflows, w, 'the target workflows')),
    ]);
    const [sourceCreds, targetCreds] = await Promise.all([
      port.listCredentials(source, sourceAll),
      port.listCredentials(target, targetAll),
    ]);
    const ids = [...new Set(selection.workflowIds)];
    const unknown = ids.filter((id) => !sourceAll.some((w) => w.id === id));
    if (unknown.length)
      throw new AppError('VALIDATION', `The source has no workflow ${unknown.slice(0, 5).join(', ')}; plan again.`);
    const selected = ids.map((id) => sourceAll.find((w) => w.id === id)!);
    const preflight = await preflightAgainst(
      port,
      target,
      selected.map((w) => ({ workflowId: w.id, name: w.name, nodes: restorableDefinition(w, version).nodes })),
      { version, sourceInstanceId: source },
    );
    const { planned, targetOnly } = planPromotion({
      selected,
      sourceWorkflows: sourceAll,
      version,
      targetWorkflows: targetAll,
      targetCredentials: targetCreds.credentials,
      preflight,
      ...(variables && {
        variables: {
          source: variables.of(source),
          target: variables.of(target),
          sourceName: names.source,
          targetName: names.target,
        },
      }),
    });
    const notes = [...preflight.notes];
    if (targetCreds.source !== 'api')
      notes.push(
        targetCreds.source === 'workflows+audit'
          ? "The target does not list its credentials to this API key (n8n 1.x never does): they were read from its workflows and its security audit, which names credentials without their type (a match by name alone is marked 'unverified')."
          : "The target's API key may neither list credentials nor run the security audit: only credentials its workflows use are known. Give the key those scopes (on 2.x: an owner's or admin's key) to see the others.",
      );
    const items = planned.map((p) => p.item);
    return {
      planned,
      plan: {
        sourceInstanceId: source,
        targetInstanceId: target,
        version,
        items,
        targetOnly,
        sourceCredentials: sourceCreds.credentials,
        targetCredentials: targetCreds.credentials,
        credentialsSource: { source: sourceCreds.source, target: targetCreds.source },
        notes,
        ok: items.every((i) => i.promotable),
      },
    };
  }

  async function plan(selection: Selection): Promise<PromotionPlan> {
    return (await computePlan(selection)).plan;
  }

  async function fetchRemote(instanceId: string, workflowId: string): Promise<RemoteWorkflow | null> {
    try {
      return checked(remoteWorkflowSchema, await port.getWorkflow(instanceId, workflowId), 'the workflow');
    } catch (error) {
      if (error instanceof AppError && error.code === 'N8N_NOT_FOUND') return null;
      throw error;
    }
  }

  /**
   * Writes one planned workflow into the target; the live state as the operator chose. Throws
   * only when nothing was written (n8n refused before anything changed); once a write was sent,
   * the outcome comes back whatever happens after, so the record keeps it for the rollback.
   */
  async function writeOne(target: string, p: PlannedWorkflow, activation: PromotionActivation): Promise<Written> {
    const body = toWorkflowBody(p.definition);
    const action: Written['action'] = p.target ? (p.item.status === 'changed' ? 'updated' : 'unchanged') : 'created';
    // Stopped first, so an update of a live workflow never runs, even briefly, when it should not.
    const stopFirst = activation === 'inactive' && p.target?.active === true;
    if (stopFirst)
      try {
        await port.setLive(target, p.target!.id, false);
      } catch (error) {
        if (!outcomeUnknown(error)) throw error;
        // n8n may have stopped it: recorded (nothing else written) so a rollback can make it live again.
        return {
          action: 'unchanged',
          id: p.target!.id,
          after: null,
          error: unknownNote('stopping it', error),
          ended: true,
        };
      }
    let id = p.target?.id ?? null;
    try {
      if (!p.target) {
        const created: unknown = await port.createWorkflow(target, body);
        // Created whatever else the answer says: its id when n8n gave one, for the record.
        const rawId = (created as { id?: unknown } | null)?.id;
        if (typeof rawId === 'string' && rawId) id = rawId;
        id = checked(remoteWorkflowSchema, created, 'the created workflow').id;
      } else if (p.item.status === 'changed') await port.updateWorkflow(target, p.target.id, body);
    } catch (error) {
      if (outcomeUnknown(error))
        return {
          action,
          id,
          after: null,
          error: unknownNote(p.target ? 'the update' : 'the creation', error),
          ended: true,
        };
      // n8n refused the write: the workflow it stopped goes live again as it was (the failure
      // recorded is the write's; when it stays stopped, the record says so and the rollback restarts it).
      if (stopFirst)
        try {
          await port.setLive(target, p.target!.id, true);
        } catch (e) {
          ctx.logger.warn('Could not make a workflow live again after a failed promotion write', {
            workflowId: p.target!.id,
            error: messageOf(e),
          });
          return {
            action: 'unchanged',
            id,
            after: null,
            error: `Not written: ${messageOf(error)} It was stopped first and could not be made live again (${messageOf(e)}): roll back to restart it.`,
            ended: true,
          };
        }
      throw error;
    }
    // Written: from here on a failure is noted on the item, never turned into "failed".
    let activationError: string | null = null;
    try {
      if (activation === 'active') {
        const now = await fetchRemote(target, id!);
        const runsSaved = now?.active && (now.published === null || now.published.versionId === now.versionId);
        if (!runsSaved) {
          try {
            await port.setLive(target, id!, true);
          } catch (error) {
            // Written but not live (n8n refused: no trigger, a node type it lacks…): said on the item.
            activationError = `Written, but n8n would not make it live: ${messageOf(error)}`;
          }
        }
      }
      const after = await fetchRemote(target, id!);
      return { action, id, after, error: activationError, ended: false };
    } catch (error) {
      return {
        action,
        id,
        after: null,
        error: `${action === 'unchanged' ? 'Nothing written' : 'Written'}, then reading it back failed (the promotion stopped here): ${activationError ? `${activationError}; ` : ''}${messageOf(error)}`,
        ended: true,
      };
    }
  }

  function promote(
    selection: Selection,
    activation: PromotionActivation,
    expected: Record<string, number | null> | undefined,
  ): Promise<Promotion> {
    return exclusive(selection.targetInstanceId, () => promoteNow(selection, activation, expected));
  }

  async function promoteNow(
    selection: Selection,
    activation: PromotionActivation,
    expected: Record<string, number | null> | undefined,
  ): Promise<Promotion> {
    const { plan: fresh, planned } = await computePlan(selection);
    const refused = fresh.items.filter((i) => !i.promotable);
    if (refused.length)
      throw new AppError(
        'VALIDATION',
        `Nothing was promoted: ${refused.length} workflow(s) cannot be. ${refused
          .slice(0, 3)
          .map((i) => `"${i.name}": ${i.refusals[0]}`)
          .join(' ')}`,
        { details: fresh },
      );
    const moved = fresh.items.filter(
      (i) => expected && i.sourceWorkflowId in expected && expected[i.sourceWorkflowId] !== i.targetUpdatedAtMs,
    );
    if (moved.length)
      throw new AppError(
        'CONFLICT',
        `Nothing was promoted: the target changed since the plan (${moved.map((i) => `"${i.name}"`).join(', ')}). Plan again and review the new diff.`,
        { details: fresh },
      );
    const target = selection.targetInstanceId;
    const promotionId = ctx.store.write((announce) => {
      const info = db
        .prepare(
          `INSERT INTO promotions (actor, created_at_ms, source_instance_id, target_instance_id, version, activation, status)
          VALUES (?, ?, ?, ?, ?, ?, 'running')`,
        )
        .run(ctx.operator(), ctx.clock.now(), selection.sourceInstanceId, target, selection.version, activation);
      const id = Number(info.lastInsertRowid);
      announce('promotions:changed', { id });
      return id;
    });

    let failed = false;
    let written = 0;
    for (const [position, p] of planned.entries()) {
      const row = {
        promotionId,
        position,
        sourceWorkflowId: p.item.sourceWorkflowId,
        name: p.item.name,
        previous: p.target ? JSON.stringify(p.target) : null,
        activeBefore: bit(p.target?.active),
      };
      // A workflow not written leaves the target as it was.
      const recordFailed = (error: string) =>
        ctx.store.write(() =>
          insertItem.run({
            ...row,
            action: 'failed',
            targetWorkflowId: p.target?.id ?? null,
            activeAfter: bit(p.target?.active),
            afterVersionId: null,
            afterUpdatedAtMs: null,
            error,
          }),
        );
      if (failed) {
        recordFailed('Not attempted: an earlier workflow of this promotion failed.');
        continue;
      }
      let done: Written;
      try {
        done = await writeOne(target, p, activation);
      } catch (error) {
        // n8n refused before anything was written: the promotion ends here; what was written
        // before stays recorded (and can be rolled back).
        failed = true;
        recordFailed(messageOf(error));
        continue;
      }
      // Recorded as written even when a later step failed or the answer never came: its id and
      // previous version are what a rollback needs.
      written++;
      if (done.ended) failed = true;
      ctx.store.write(() =>
        insertItem.run({
          ...row,
          action: done.action,
          targetWorkflowId: done.id,
          activeAfter: bit(done.after?.active),
          afterVersionId: done.after?.versionId ?? null,
          afterUpdatedAtMs: done.after?.updatedAtMs ?? null,
          error: done.error,
        }),
      );
    }
    const partial = (selectItems.all(promotionId) as ItemRow[]).some((i) => i.error !== null);
    const rewrites = planned
      .filter((p) => p.item.variables.length)
      .map((p) => [p.item.name, p.item.variables.map((v) => `${v.name}: ${v.from} → ${v.to}`)] as const);
    const status: Promotion['status'] = failed && written === 0 ? 'failed' : partial ? 'partial' : 'done';
    ctx.store.write((announce) => {
      db.prepare('UPDATE promotions SET status = ? WHERE id = ?').run(status, promotionId);
      const items = selectItems.all(promotionId) as ItemRow[];
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'promotion.promote',
        targetType: 'instance',
        targetId: target,
        details: {
          promotionId,
          from: selection.sourceInstanceId,
          activation,
          status,
          // What the variables rewrote (not secrets): the entry says which values were written.
          ...(rewrites.length && { variables: Object.fromEntries(rewrites) }),
          workflows: items.map((i) => ({
            name: i.name,
            action: i.action,
            targetWorkflowId: i.target_workflow_id,
            ...(i.error ? { error: i.error } : {}),
          })),
        },
      });
      announce('promotions:changed', { id: promotionId });
    });
    return get(promotionId);
  }

  /** Puts one updated workflow back: its saved version, its published version, its live state. */
  async function restore(target: string, id: string, previous: RemoteWorkflow, current: RemoteWorkflow | null) {
    const draft = definitionOf(previous);
    const live: WorkflowDefinition = previous.published
      ? { ...draft, nodes: previous.published.nodes, connections: previous.published.connections }
      : draft;
    if (previous.active) {
      await port.updateWorkflow(target, id, toWorkflowBody(live));
      await port.setLive(target, id, true);
      // 2.x held a newer saved draft beside what ran: saved again without publishing it.
      if (previous.published && previous.published.versionId !== previous.versionId)
        await port.saveDraft(target, id, toWorkflowBody(draft));
    } else {
      if (current?.active) await port.setLive(target, id, false);
      await port.updateWorkflow(target, id, toWorkflowBody(draft));
    }
  }

  function rollback(id: number, force: boolean): Promise<Promotion> {
    return exclusive(get(id).targetInstanceId, () => rollbackNow(id, force));
  }

  async function rollbackNow(id: number, force: boolean): Promise<Promotion> {
    const promotion = get(id);
    if (promotion.status === 'rolled-back')
      throw new AppError('VALIDATION', `Promotion ${id} was already rolled back.`);
    if (promotion.status === 'running')
      throw new AppError('CONFLICT', `Promotion ${id} is still running; wait for it to finish.`, { retryable: true });
    const target = promotion.targetInstanceId;
    if (!(await port.listInstances()).some((i) => i.id === target))
      throw new AppError('VALIDATION', `Instance ${target} is not configured any more: the rollback cannot reach it.`);
    // Every written item, those whose outcome is unknown included (a creation's id may be unknown).
    const rows = (selectItems.all(id) as ItemRow[]).filter(
      (r) => r.action !== 'failed' && (r.target_workflow_id || r.action === 'created'),
    );
    const currents = new Map<number, RemoteWorkflow | null>();
    const moved: { targetWorkflowId: string; name: string; reason: 'changed' | 'deleted' }[] = [];
    let onTarget: RemoteWorkflow[] | undefined;
    const named = async (name: string) => {
      onTarget ??= checked(z.array(remoteWorkflowSchema), await port.listWorkflows(target), 'the target workflows');
      return onTarget.filter((w) => w.name === name);
    };
    const ambiguous = new Map<number, number>();
    for (const row of rows) {
      if (!row.target_workflow_id) {
        // A creation whose answer never came: n8n made it or not. The plan found no workflow of
        // that name on the target, so one now is this promotion's (several: not guessed).
        const found = await named(row.name);
        if (found.length === 1) {
          row.target_workflow_id = found[0]!.id;
          currents.set(row.id, found[0]!);
        } else {
          currents.set(row.id, null);
          if (found.length > 1) ambiguous.set(row.id, found.length);
        }
        continue;
      }
      const current = await fetchRemote(target, row.target_workflow_id);
      currents.set(row.id, current);
      // Never read back after the write: nothing to compare with, so not counted as moved.
      const afterKnown = row.after_updated_at_ms !== null || row.after_version_id !== null;
      if (!current) moved.push({ targetWorkflowId: row.target_workflow_id, name: row.name, reason: 'deleted' });
      else if (
        afterKnown &&
        (current.updatedAtMs !== row.after_updated_at_ms || current.versionId !== row.after_version_id)
      )
        moved.push({ targetWorkflowId: row.target_workflow_id, name: row.name, reason: 'changed' });
    }
    if (moved.length && !force)
      throw new AppError(
        'CONFLICT',
        `Not rolled back: ${moved.map((m) => `"${m.name}" was ${m.reason === 'deleted' ? 'deleted' : 'changed'}`).join(', ')} on the target since the promotion. Roll back anyway (force) to overwrite those changes.`,
        { details: { workflows: moved } },
      );

    // The id of a creation found by name is recorded with its outcome.
    const setRollback = db.prepare(
      'UPDATE promotion_items SET rollback = ?, target_workflow_id = coalesce(target_workflow_id, ?) WHERE id = ?',
    );
    let failures = 0;
    // Newest write first, as an undo.
    for (const row of [...rows].reverse()) {
      const current = currents.get(row.id) ?? null;
      let outcome: string;
      try {
        if (row.action === 'created') {
          const several = ambiguous.get(row.id);
          if (several !== undefined) {
            failures++;
            outcome = `not deleted: the promotion's answer never came and ${several} workflows are named "${row.name}" on the target; delete the one it created by hand`;
          } else if (current) {
            await port.deleteWorkflow(target, row.target_workflow_id!);
            outcome = 'deleted';
          } else outcome = row.target_workflow_id ? 'already deleted' : 'nothing to delete: not on the target';
        } else {
          const previous = checked(remoteWorkflowSchema, JSON.parse(row.previous_json ?? 'null'), 'the kept version');
          if (!current) outcome = 'not restored: it was deleted on the target';
          else if (row.action === 'unchanged' && current.active === previous.active) outcome = 'skipped';
          else if (
            current.updatedAtMs === previous.updatedAtMs &&
            current.versionId === previous.versionId &&
            current.active === previous.active
          )
            // A write whose outcome was unknown and that never landed: the target is as it was.
            outcome = 'skipped: the target holds what it had before';
          else {
            await restore(target, row.target_workflow_id!, previous, current);
            outcome = 'restored';
          }
        }
      } catch (error) {
        failures++;
        outcome = `failed: ${messageOf(error)}`;
      }
      ctx.store.write(() => setRollback.run(outcome, row.target_workflow_id, row.id));
    }
    ctx.store.write((announce) => {
      if (failures === 0)
        db.prepare(
          "UPDATE promotions SET status = 'rolled-back', rolled_back_at_ms = ?, rolled_back_by = ? WHERE id = ?",
        ).run(ctx.clock.now(), ctx.operator(), id);
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'promotion.rollback',
        targetType: 'instance',
        targetId: target,
        details: { promotionId: id, force, overwrote: moved, failures },
      });
      announce('promotions:changed', { id });
    });
    return get(id);
  }

  return { plan, promote, rollback, get, list, recoverInterrupted };
}

export type Promotions = ReturnType<typeof createPromotions>;
