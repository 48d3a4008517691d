import { eventNameSchema, type Mapping } from '../../../shared/contract/mappings';
import { renderApprovalTitle } from '../../../shared/approval-title';
import { AppError } from '../../../shared/result';
import type { GateRequest } from '../approvals/ports';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { MappingService } from '../mappings/mapping-service';
import type { Emit, EmitRequest, EmitResult } from '../ports';
import type { JobStore } from '../queue/job-store';
import type { ExecutionsWriter } from './executions-writer';

/** What the approvals area needs to hold a gated run (implemented by the approvals module). */
export interface GatePort {
  createGate(input: GateRequest): void;
}

/** What a job carries: enough to dispatch even if the mapping is edited meanwhile. */
export interface DispatchJobPayload {
  executionId: number;
  event: string;
  webhookPath: string;
  body: unknown;
}

export interface EmitterDeps {
  ctx: CoreContext;
  audit: AuditLog;
  mappings: MappingService;
  jobs: JobStore;
  executions: ExecutionsWriter;
  /** Absent until the approvals area is wired: gated mappings are then refused, never dispatched. */
  gates?: GatePort;
}

/** Operator-driven sources are audited; machine traffic (HTTP ingest, schedules) is not, per event. */
const AUDITED_SOURCES = new Set(['ui', 'cli', 'retry']);

/**
 * Turns an event into durable runs: one local execution per matching mapping, queued (or held
 * for approval) in the same transaction. Idempotency keys are per mapping, so a repeated event
 * gives back the runs it created the first time.
 */
export function createEmitter(
  deps: EmitterDeps,
): Emit & { enqueueRun(executionId: number, mapping: Mapping, body: unknown): void } {
  const { ctx, mappings, jobs, executions } = deps;

  /** Queues a run's job; returns its id. Call inside a transaction. */
  function enqueueJob(executionId: number, mapping: Mapping, body: unknown, event = mapping.event): number {
    const payload: DispatchJobPayload = { executionId, event, webhookPath: mapping.webhookPath, body };
    const { job } = jobs.enqueue({
      instanceId: mapping.instanceId,
      mappingId: mapping.id,
      executionId,
      payload,
      priority: mapping.priority,
      maxAttempts: mapping.retry.attempts,
      backoff: {
        type: mapping.retry.backoff,
        delayMs: mapping.retry.delayMs,
        maxDelayMs: mapping.retry.maxDelayMs,
        jitter: mapping.retry.jitter,
      },
      timeoutMs: mapping.timeoutMs,
    });
    return job.id;
  }

  /** Queues an existing run (released by an approval, retried): its row learns its job. */
  function enqueueRun(executionId: number, mapping: Mapping, body: unknown, event = mapping.event): void {
    executions.setJob(executionId, enqueueJob(executionId, mapping, body, event));
  }

  function runFor(mapping: Mapping, request: EmitRequest, key: string | null): number {
    const now = ctx.clock.now();
    if (mapping.requiresApproval && !deps.gates) {
      throw new AppError(
        'UNAVAILABLE',
        `Mapping ${mapping.name} requires approval, but approvals are not available yet.`,
      );
    }
    // The row is written once, complete: its id is taken first because the request names it
    // (a header) and the job carries it; every later UPDATE would rewrite the payload too.
    const executionId = executions.nextId();
    // Built by the dispatcher's own builder, with this run's id: what the detail shows is what is sent.
    const preview = mappings.requestFor(mapping, request.payload, executionId, request.event);
    const jobId = mapping.requiresApproval ? null : enqueueJob(executionId, mapping, preview.body, request.event);
    executions.insert({
      id: executionId,
      instanceId: mapping.instanceId,
      workflowId: mapping.workflowId,
      mappingId: mapping.id,
      event: request.event,
      status: mapping.requiresApproval ? 'awaiting_approval' : 'queued',
      payload: request.payload,
      request: preview,
      jobId,
      idempotencyKey: key,
      sourceKind: request.source,
      nowMs: now,
    });
    if (mapping.requiresApproval) {
      deps.gates?.createGate({
        executionId,
        mappingId: mapping.id,
        instanceId: mapping.instanceId,
        workflowId: mapping.workflowId,
        event: request.event,
        payload: request.payload,
        priority: mapping.priority,
        expiresAtMs: mapping.approvalExpiry ? now + mapping.approvalExpiry.afterMs : null,
        expiryAction: mapping.approvalExpiry?.action ?? null,
        // The mapping's title over payload fields makes the inbox readable at a glance.
        summary: mapping.approvalTitle
          ? renderApprovalTitle(mapping.approvalTitle, request.payload)
          : `${request.event} → ${mapping.name}`,
      });
    }
    return executionId;
  }

  const emit: Emit = (request): EmitResult => {
    if (!eventNameSchema.safeParse(request.event).success) {
      throw new AppError('VALIDATION', `"${String(request.event).slice(0, 100)}" is not a valid event name.`);
    }
    // Joins the caller's write (the door's group commit gives each event a savepoint of its own).
    return ctx.store.join((announce) => {
      if (!mappings.hasActive(request.event)) {
        throw new AppError('NOT_FOUND', `No active mapping listens for "${request.event}": add one under Mappings.`);
      }
      const executionIds: number[] = [];
      let deduplicated = false;
      for (const mapping of mappings.matching(request.event, request.payload)) {
        const key = request.idempotencyKey ? `${request.idempotencyKey}:${mapping.id}` : null;
        const earlier = key ? executions.findByKey(key) : undefined;
        if (earlier !== undefined) {
          deduplicated = true;
          executionIds.push(earlier);
        } else executionIds.push(runFor(mapping, request, key));
      }
      if (executionIds.length > 0 && !deduplicated) announce('executions:changed', { ids: executionIds });
      if (AUDITED_SOURCES.has(request.source)) {
        deps.audit.record(announce, {
          actor: request.actor,
          action: 'event.emit',
          targetType: 'event',
          targetId: request.event,
          details: { source: request.source, executionIds, deduplicated },
        });
      }
      return { executionIds, deduplicated };
    });
  };

  return Object.assign(emit, { enqueueRun: (id: number, m: Mapping, body: unknown) => enqueueRun(id, m, body) });
}
