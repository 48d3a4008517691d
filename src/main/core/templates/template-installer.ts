import type { Mapping, MappingFields } from '../../../shared/contract/mappings';
import type { PreflightProblem, PreflightReport } from '../../../shared/contract/drafts';
import type { Schedule, ScheduleDraft } from '../../../shared/contract/schedules';
import type { TemplateInstallResult, TemplateSummary } from '../../../shared/contract/templates';
import { AppError, type ErrorCode } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { toWorkflowBody } from '../drafts/n8n-port';
import { checkNodeTypes, usesCommunityNodes } from '../n8n/preflight';
import { compileTiming } from '../scheduler/timing';
import { fillKit, resolveValues, summaryOf, type FilledKit, type TemplateKit } from './kit';
import type { TemplatesN8nPort } from './n8n-port';

export interface InstallerDeps {
  port: TemplatesN8nPort;
  kits: readonly TemplateKit[];
  mappings: { create(fields: MappingFields): Mapping; list(): Mapping[] };
  schedules: { create(draft: ScheduleDraft): Schedule; forget(id: number): void };
}

export interface InstallRequest {
  templateId: string;
  instanceId: string;
  values: Record<string, string>;
  activate?: boolean | undefined;
  dryRun: boolean;
}

const WEBHOOK_TYPE = 'n8n-nodes-base.webhook';

/** What to do when the instance lacks the kit's community package. */
const installPackageHint = (pkg: string) =>
  `Install ${pkg} on that n8n first: Settings → Community nodes → Install → "${pkg}" (or copy the package into ~/.n8n/custom and restart n8n), then install the template again.`;

/**
 * Starter kits into an instance: pre-flight, then the workflow in n8n, made live, then the
 * mapping and schedule here in one transaction with the audit entry. A step that fails undoes
 * the earlier ones (the local transaction rolls back; the n8n workflow is deleted), so an install
 * either lands whole or leaves nothing but an audit entry saying what was undone.
 */
export function createTemplateInstaller(ctx: CoreContext, audit: AuditLog, deps: InstallerDeps) {
  const summaries = deps.kits.map(summaryOf);

  function kitOf(id: string): TemplateKit {
    const kit = deps.kits.find((k) => k.id === id);
    if (!kit)
      throw new AppError('NOT_FOUND', `No template "${id}". Templates: ${deps.kits.map((k) => k.id).join(', ')}.`);
    return kit;
  }

  /** Node types against the instance, plus webhook paths its workflows already serve. */
  async function preflight(kit: TemplateKit, filled: FilledKit, instanceId: string) {
    const nodes = filled.workflow.nodes;
    const workflows = [{ workflowId: null, name: filled.workflow.name, nodes }];
    const info = await deps.port.targetInfo(instanceId, { communityNodeTypes: usesCommunityNodes(workflows) });
    const report = checkNodeTypes(workflows, { instanceId, ...info });
    const served = await deps.port.servedPaths(instanceId);
    const trigger = nodes.find((n) => n.type === WEBHOOK_TYPE);
    const pathProblems: PreflightProblem[] = served
      .filter((s) => s.path === filled.mapping.webhookPath)
      .map((s) => ({
        node: trigger?.name ?? 'Webhook',
        type: WEBHOOK_TYPE,
        severity: s.live ? 'error' : 'warning',
        message: s.live
          ? `Workflow "${s.workflowName}" (${s.workflowId}) already serves /webhook/${s.path} on this instance: choose another webhook path.`
          : `Workflow "${s.workflowName}" (${s.workflowId}) uses the path ${s.path} too; it is not live, but making both live would clash.`,
      }));
    const merged = mergeProblems(report, filled.workflow.name, pathProblems);
    // The kit knows which package it needs: its own sentence replaces the generic one.
    const ownPackageNote = kit.needsPackage !== null && info.communityNodeTypes === null;
    const warnings = [
      ...merged.notes,
      ...merged.workflows.flatMap((w) =>
        w.problems
          .filter((p) => p.severity === 'warning' && !(ownPackageNote && p.message.startsWith('Community package')))
          .map((p) => `${p.node}: ${p.message}`),
      ),
    ];
    if (ownPackageNote)
      warnings.push(
        `This n8n does not list its community packages to the API (n8n 1.x): if ${kit.needsPackage} is missing there, n8n refuses to make the workflow live and the install is undone.`,
      );
    const sameEvent = deps.mappings.list().filter((m) => m.event === filled.mapping.event);
    if (sameEvent.length > 0)
      warnings.push(
        `Event ${filled.mapping.event} already has ${sameEvent.length === 1 ? 'a mapping' : `${sameEvent.length} mappings`} (${sameEvent.map((m) => m.name).join(', ')}): each event runs every mapping whose conditions hold.`,
      );
    return { report: merged, warnings };
  }

  async function install(request: InstallRequest): Promise<TemplateInstallResult> {
    const kit = kitOf(request.templateId);
    const instanceName = deps.port.instanceName(request.instanceId);
    if (instanceName === null)
      throw new AppError('VALIDATION', `Unknown instance ${request.instanceId}: add it under Instances first.`);
    // Every value and the filled kit are checked before n8n is asked anything.
    const values = resolveValues(kit, request.values);
    const filled = fillKit(kit, values);
    if (filled.schedule) compileTiming(filled.schedule.timing, ctx.clock.now(), 'values');
    const activate = request.activate ?? kit.activateByDefault;

    const { report, warnings } = await preflight(kit, filled, request.instanceId);
    const errors = report.workflows.flatMap((w) => w.problems.filter((p) => p.severity === 'error'));
    const lacksPackage = kit.needsPackage !== null && errors.some((p) => p.message.startsWith('Community package'));
    const base = {
      templateId: kit.id,
      instanceId: request.instanceId,
      dryRun: request.dryRun,
      preflight: report,
      warnings,
      // Refused for a missing package: the one thing to do first.
      nextSteps: lacksPackage ? [installPackageHint(kit.needsPackage!)] : filled.nextSteps,
    };
    if (request.dryRun) return { ...base, installed: null };
    if (!report.ok) {
      throw new AppError(
        'VALIDATION',
        `Pre-flight refused "${kit.name}" on ${instanceName}: ${errors.map((p) => `${p.node} — ${p.message}`).join(' ')}${lacksPackage ? ` ${installPackageHint(kit.needsPackage!)}` : ''} Nothing was created.`,
        { details: { preflight: report } },
      );
    }

    let step = 'creating the workflow in n8n';
    const created = await create(kit, request.instanceId, filled);
    let scheduleId: number | null = null;
    try {
      if (activate) {
        step = 'making the workflow live in n8n';
        await deps.port.makeLive(request.instanceId, created.id);
      }
      step = 'saving the mapping and schedule';
      const local = ctx.store.write((announce) => {
        const mapping = deps.mappings.create({
          ...filled.mapping,
          instanceId: request.instanceId,
          workflowId: created.id,
        });
        const schedule = filled.schedule ? deps.schedules.create(filled.schedule) : null;
        scheduleId = schedule?.id ?? null;
        audit.record(announce, {
          actor: ctx.operator(),
          action: 'template.install',
          targetType: 'template',
          targetId: kit.id,
          details: {
            instanceId: request.instanceId,
            workflowId: created.id,
            mappingId: mapping.id,
            scheduleId,
            activated: activate,
            values: auditedValues(kit, values),
          },
        });
        return { mapping, schedule };
      });
      return {
        ...base,
        installed: {
          workflow: { id: created.id, name: created.name, active: activate },
          mapping: {
            id: local.mapping.id,
            name: local.mapping.name,
            event: local.mapping.event,
            webhookPath: local.mapping.webhookPath,
          },
          schedule: local.schedule ? { id: local.schedule.id, name: local.schedule.name } : null,
        },
      };
    } catch (error) {
      throw await rollBack(kit, request.instanceId, created, scheduleId, step, error);
    }
  }

  /**
   * Creates the workflow. n8n may have saved it even when its answer never arrived (a timeout, a
   * dropped connection): then it is found by the install's fresh node id and deleted, and where
   * n8n cannot be asked, the error says which workflow to look for.
   */
  async function create(kit: TemplateKit, instanceId: string, filled: FilledKit) {
    try {
      return await deps.port.createWorkflow(instanceId, toWorkflowBody(filled.workflow));
    } catch (error) {
      const nodeId = filled.workflow.nodes[0]?.id;
      let orphan: { id: string; name: string } | null = null;
      try {
        orphan = nodeId ? await deps.port.findByNodeId(instanceId, nodeId) : null;
      } catch {
        if (!(error instanceof AppError)) throw error;
        throw new AppError(
          error.code,
          `${error.message} n8n could not be asked whether it saved "${filled.workflow.name}" anyway: if it is there, delete it. Nothing was kept here.`,
          { retryable: error.retryable },
        );
      }
      if (orphan) throw await rollBack(kit, instanceId, orphan, null, 'creating the workflow in n8n', error);
      throw error;
    }
  }

  /** Undoes the n8n side of a failed install and says, in one error, what failed and what was undone. */
  async function rollBack(
    kit: TemplateKit,
    instanceId: string,
    created: { id: string; name: string },
    scheduleId: number | null,
    step: string,
    error: unknown,
  ): Promise<AppError> {
    // The local transaction rolled back; the scheduler may have parsed the schedule meanwhile.
    if (scheduleId !== null) deps.schedules.forget(scheduleId);
    let deleted = true;
    let deleteError: string | null = null;
    try {
      await deps.port.deleteWorkflow(instanceId, created.id);
    } catch (failure) {
      deleted = false;
      deleteError = failure instanceof Error ? failure.message : String(failure);
    }
    const cause = error instanceof Error ? error.message : String(error);
    ctx.store.write((announce) =>
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'template.rollback',
        targetType: 'template',
        targetId: kit.id,
        details: { instanceId, workflowId: created.id, step, error: cause, workflowDeleted: deleted, deleteError },
      }),
    );
    ctx.logger.warn('A template install failed and was undone', { template: kit.id, step, workflowDeleted: deleted });
    const code: ErrorCode = error instanceof AppError ? error.code : 'INTERNAL';
    const hint =
      kit.needsPackage && /unrecognized node type|not installed|unknown node/i.test(cause)
        ? ` ${installPackageHint(kit.needsPackage)}`
        : '';
    const undone = deleted
      ? `The workflow it had created in n8n ("${created.name}", ${created.id}) was deleted; nothing was kept.`
      : `The workflow it created in n8n ("${created.name}", ${created.id}) could not be deleted (${deleteError}): delete it in n8n. Nothing was kept here.`;
    return new AppError(code, `Installing "${kit.name}" failed while ${step}: ${cause}${hint} ${undone}`, {
      retryable: error instanceof AppError ? error.retryable : false,
      details: { step, workflowId: created.id, workflowDeleted: deleted },
    });
  }

  return {
    list: (): TemplateSummary[] => summaries,
    install,
  };
}

/**
 * The values as the audit log keeps them: an address only as its origin, since a chat or pager
 * webhook URL often carries its secret in the path (the workflow in n8n holds the full one).
 */
function auditedValues(kit: TemplateKit, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      const kind = kit.fields.find((f) => f.key === key)?.kind;
      return [key, kind === 'url' ? `${new URL(value).origin}/…` : value];
    }),
  );
}

/** The node-type report with the webhook path findings added to the kit's workflow. */
function mergeProblems(report: PreflightReport, name: string, extra: PreflightProblem[]): PreflightReport {
  if (extra.length === 0) return report;
  const existing = report.workflows.find((w) => w.name === name);
  const workflows = existing
    ? report.workflows.map((w) => (w === existing ? { ...w, problems: [...w.problems, ...extra] } : w))
    : [...report.workflows, { workflowId: null, name, problems: extra }];
  return {
    ...report,
    workflows,
    ok: report.ok && !extra.some((p) => p.severity === 'error'),
  };
}

export type TemplateInstaller = ReturnType<typeof createTemplateInstaller>;
