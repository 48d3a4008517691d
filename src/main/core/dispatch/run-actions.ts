import type { CallOutput, ExecutionFilter, ExecutionStatus } from '../../../shared/contract';
import { TERMINAL_STATUSES } from '../../../shared/contract/executions-model';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { MappingService } from '../mappings/mapping-service';
import type { Clients } from '../n8n/clients';
import { filterClause } from '../n8n/executions-reader';
import { createRemoteStore } from '../n8n/remote-store';
import type { JobStore } from '../queue/job-store';
import type { ExecutionsWriter } from './executions-writer';

type ItemResult = CallOutput<'runs:cancel'>[number];

interface RunRow {
  id: number;
  source: 'local' | 'remote';
  instance_id: string | null;
  workflow_id: string | null;
  mapping_id: string | null;
  remote_id: string | null;
  job_id: number | null;
  status: ExecutionStatus;
  event: string | null;
  payload_json: string | null;
  request_json: string | null;
  response_status: number | null;
  response_excerpt: string | null;
}

export interface RunActionsDeps {
  ctx: CoreContext;
  audit: AuditLog;
  jobs: JobStore;
  executions: ExecutionsWriter;
  mappings: MappingService;
  clients: Clients;
  /** Queues an existing execution row for a mapping (the emitter's own path). */
  enqueueRun(executionId: number, mapping: ReturnType<MappingService['get']>, body: unknown): void;
}

const ok = (id: number, newId: number | null = null): ItemResult => ({ id, ok: true, newId, message: null });
const refused = (id: number, message: string): ItemResult => ({ id, ok: false, newId: null, message });

/**
 * What an operator can do to runs: inspect attempts, retry (one, a selection or a filter, with a
 * dry run first), cancel queued ones, requeue dead letters. Every change is audited.
 */
export function createRunActions(deps: RunActionsDeps) {
  const { ctx, jobs, executions, mappings } = deps;
  const { db } = ctx.store;
  const remote = createRemoteStore(db);
  const one = db.prepare('SELECT * FROM executions WHERE id = ?');
  const byRemote = db.prepare('SELECT id FROM executions WHERE instance_id = ? AND remote_id = ?').pluck();
  const now = () => ctx.clock.now();

  const row = (id: number) => one.get(id) as RunRow | undefined;
  const parse = (json: string | null): unknown => (json === null ? null : (JSON.parse(json) as unknown));

  function detail(id: number): CallOutput<'runs:detail'> {
    const r = row(id);
    if (!r) throw new AppError('NOT_FOUND', `No run ${id}: it may have been removed by retention.`);
    const job = r.job_id !== null ? jobs.get(r.job_id) : null;
    return {
      id: r.id,
      event: r.event,
      mappingId: r.mapping_id,
      payload: parse(r.payload_json),
      request: parse(r.request_json),
      responseStatus: r.response_status,
      responseExcerpt: r.response_excerpt,
      job: job && {
        id: job.id,
        state: job.state,
        maxAttempts: job.maxAttempts,
        runAtMs: job.runAtMs,
        attempts: job.attempts,
      },
    };
  }

  /** The runs a bulk action targets, and the asked-for ids that do not exist. */
  function select(target: { ids?: number[] | undefined; filter?: ExecutionFilter | undefined }): {
    rows: RunRow[];
    missing: number[];
  } {
    if (target.ids) {
      const found = target.ids.map((id) => ({ id, r: row(id) }));
      return {
        rows: found.flatMap(({ r }) => (r ? [r] : [])),
        missing: found.filter(({ r }) => !r).map(({ id }) => id),
      };
    }
    const { where, params } = filterClause(target.filter ?? {});
    const rows = db
      .prepare(
        `SELECT e.* FROM executions e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id LIMIT 10000`,
      )
      .all(params) as RunRow[];
    return { rows, missing: [] };
  }

  function preview(rows: RunRow[]) {
    const groups = new Map<
      string,
      { instanceId: string | null; workflowId: string | null; source: string; count: number }
    >();
    for (const r of rows) {
      const key = `${r.source}|${r.instance_id}|${r.workflow_id}`;
      const g = groups.get(key) ?? { instanceId: r.instance_id, workflowId: r.workflow_id, source: r.source, count: 0 };
      g.count++;
      groups.set(key, g);
    }
    return {
      count: rows.length,
      byTarget: [...groups.values()].sort((a, b) => b.count - a.count),
    };
  }

  /** A local run again, as a new run of the same mapping (its current settings), linked by retry_of. */
  function retryLocal(r: RunRow, payloadOverride: unknown, reason: string | undefined): ItemResult {
    if (!TERMINAL_STATUSES.includes(r.status))
      return refused(r.id, `Run ${r.id} is still ${r.status}: wait for it to finish.`);
    if (!r.mapping_id || !r.event) return refused(r.id, `Run ${r.id} has no mapping to retry through.`);
    let mapping;
    try {
      mapping = mappings.get(r.mapping_id);
    } catch {
      return refused(r.id, `The mapping of run ${r.id} was removed: it cannot be retried.`);
    }
    const payload = payloadOverride === undefined ? parse(r.payload_json) : payloadOverride;
    const request = mappings.requestFor(mapping, payload);
    return ctx.store.write((announce) => {
      const newId = executions.insert({
        instanceId: mapping.instanceId,
        workflowId: mapping.workflowId,
        mappingId: mapping.id,
        event: r.event ?? mapping.event,
        status: 'queued',
        payload,
        request,
        idempotencyKey: null,
        sourceKind: 'retry',
        retryOf: String(r.id),
        nowMs: now(),
      });
      deps.enqueueRun(newId, mapping, request.body);
      deps.audit.record(announce, {
        actor: ctx.operator(),
        action: 'execution.retry',
        targetType: 'execution',
        targetId: String(r.id),
        reason: reason ?? null,
        details: { newId, editedPayload: payloadOverride !== undefined },
      });
      announce('executions:changed', { ids: [newId] });
      return ok(r.id, newId);
    });
  }

  /** An n8n execution retried by n8n itself (from the failed node); answers when the retry ends. */
  async function retryRemote(r: RunRow, reason: string | undefined): Promise<ItemResult> {
    if (!r.instance_id || !r.remote_id) return refused(r.id, `Execution ${r.id} is not linked to n8n.`);
    try {
      const result = await deps.clients.forInstance(r.instance_id).retryExecution(r.remote_id, { timeoutMs: 300_000 });
      const newId = ctx.store.write((announce) => {
        remote.upsertExecutions(r.instance_id as string, [result], now());
        const id = byRemote.get(r.instance_id, result.id) as number | undefined;
        deps.audit.record(announce, {
          actor: ctx.operator(),
          action: 'execution.retry',
          targetType: 'execution',
          targetId: String(r.id),
          reason: reason ?? null,
          details: { remoteId: r.remote_id, newRemoteId: result.id },
        });
        if (id !== undefined) announce('executions:changed', { ids: [id] });
        return id ?? null;
      });
      return ok(r.id, newId);
    } catch (error) {
      return refused(
        r.id,
        error instanceof AppError ? error.message : `n8n could not retry: ${(error as Error).message}`,
      );
    }
  }

  let bulkRunning = false;

  async function retry(input: {
    ids?: number[] | undefined;
    filter?: ExecutionFilter | undefined;
    dryRun: boolean;
    payload?: unknown;
    reason?: string | undefined;
  }) {
    const { rows, missing } = select(input);
    const summary = preview(rows);
    if (input.dryRun) return { preview: summary, results: null };
    if (bulkRunning)
      throw new AppError('CONFLICT', 'A bulk retry is already running: wait for it to finish.', { retryable: true });
    bulkRunning = true;
    const results: ItemResult[] = missing.map((id) => refused(id, `No run ${id}.`));
    const total = results.length + rows.length;
    try {
      for (const r of rows) {
        if (r.source === 'local') results.push(retryLocal(r, input.payload, input.reason));
        // n8n retries run one at a time: n8n answers when the retried run ends, which paces them.
        else results.push(await retryRemote(r, input.reason));
        const failed = results.filter((x) => !x.ok).length;
        if (total > 1)
          ctx.store.write((announce) => announce('runs:bulkProgress', { done: results.length, total, failed }));
      }
    } finally {
      bulkRunning = false;
    }
    return { preview: summary, results };
  }

  /** Applies a queue change per run, each on its own: a bad item never undoes the others. */
  function perJob(
    ids: number[],
    action: string,
    reason: string | undefined,
    status: ExecutionStatus,
    change: (jobId: number) => void,
  ): ItemResult[] {
    return ids.map((id) => {
      const r = row(id);
      if (!r) return refused(id, `No run ${id}.`);
      if (r.source !== 'local' || r.job_id === null) return refused(id, `Run ${id} is not a queued local run.`);
      try {
        ctx.store.write((announce) => {
          change(r.job_id as number);
          executions.setStatus(id, status, now());
          deps.audit.record(announce, {
            actor: ctx.operator(),
            action,
            targetType: 'execution',
            targetId: String(id),
            reason: reason ?? null,
          });
          announce('executions:changed', { ids: [id] });
        });
        return ok(id);
      } catch (error) {
        return refused(id, error instanceof AppError ? error.message : String(error));
      }
    });
  }

  return {
    detail,
    retry,
    cancel: (ids: number[], reason?: string) =>
      perJob(ids, 'execution.cancel', reason, 'canceled', (jobId) => void jobs.cancel([jobId])),
    requeue: (ids: number[], reason?: string) =>
      perJob(ids, 'execution.requeue', reason, 'queued', (jobId) => void jobs.requeueDead([jobId])),
  };
}
