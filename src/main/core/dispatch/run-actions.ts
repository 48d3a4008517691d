import type {
  CallOutput,
  ExecutionFilter,
  ExecutionStatus,
  Mapping,
  RetryFlag,
  RetryItem,
  RetryKind,
  RetryPreview,
  RunRef,
} from '../../../shared/contract';
import { TERMINAL_STATUSES } from '../../../shared/contract/executions-model';
import { AppError } from '../../../shared/result';
import { formatRun, formatRunShort, localRunNumber } from '../../../shared/run-identity';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { searchIndex } from '../db/search-index';
import type { MappingService } from '../mappings/mapping-service';
import type { Clients } from '../n8n/clients';
import { filterClause } from '../n8n/executions-reader';
import { createRemoteStore } from '../n8n/remote-store';
import type { JobStore } from '../queue/job-store';
import { storedRequest, type ExecutionsWriter } from './executions-writer';
import { createLineageReader } from './run-lineage';

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
  superseded_by_id: number | null;
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
  // A run with its payload and request, which live beside its row (0026_execution_bodies.sql).
  const WITH_BODY = 'e.*, b.payload_json, b.request_json FROM executions e LEFT JOIN execution_bodies b ON b.id = e.id';
  const one = db.prepare(`SELECT ${WITH_BODY} WHERE e.id = ?`);
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
      request: storedRequest(r.request_json, r.payload_json),
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
    // After the filter is known to be valid, so a refused call changes nothing (db/search-index.ts).
    if (target.filter?.search) searchIndex(ctx.store).catchUp();
    const rows = db
      .prepare(`SELECT ${WITH_BODY} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id LIMIT 10000`)
      .all(params) as RunRow[];
    return { rows, missing: [] };
  }

  // What the dry run reads besides the runs: names, live webhook paths (as the last sync saw them)
  // and the lineage of each run.
  const instanceName = db.prepare('SELECT name FROM instances WHERE id = ?').pluck();
  const workflowName = db.prepare('SELECT name FROM workflows WHERE instance_id = ? AND id = ?').pluck();
  const workflowsKnown = db.prepare('SELECT 1 FROM workflows WHERE instance_id = ? LIMIT 1').pluck();
  const webhookLive = db
    .prepare(
      `SELECT 1 FROM workflows w, json_each(w.webhook_paths_json) p
       WHERE w.instance_id = ? AND w.active = 1 AND p.value = ? LIMIT 1`,
    )
    .pluck();
  // Any later retry down the chain (not only the direct one) that sent another payload. The
  // payload is compared inside the recursion: joining the chain back to executions made SQLite
  // take ~4 ms a run instead of ~10 µs (measured on 10 000 runs).
  const editedSince = db
    .prepare(
      `WITH RECURSIVE later (id, source, payload, depth) AS (
         SELECT id, source, (SELECT payload_json FROM execution_bodies WHERE id = executions.id), 1
         FROM executions WHERE retry_of_id = @id
         UNION ALL
         SELECT e.id, e.source, (SELECT payload_json FROM execution_bodies WHERE id = e.id), l.depth + 1
         FROM later l JOIN executions e ON e.retry_of_id = l.id
         WHERE l.depth < 100)
       SELECT 1 FROM later
       WHERE source = 'local' AND payload IS NOT (SELECT payload_json FROM execution_bodies WHERE id = @id) LIMIT 1`,
    )
    .pluck();
  // The workflow a mapping without a workflow id reaches: the one serving its path (as the linker finds it).
  const workflowByPath = db
    .prepare(
      `SELECT w.id FROM workflows w, json_each(w.webhook_paths_json) p
     WHERE w.instance_id = ? AND p.value = ? ORDER BY w.active DESC LIMIT 1`,
    )
    .pluck();
  const refOf = db.prepare('SELECT id, source, remote_id, instance_id, status FROM executions WHERE id = ?');

  const toRef = (r: Pick<RunRow, 'id' | 'source' | 'remote_id' | 'instance_id' | 'status'>): RunRef => ({
    id: r.id,
    source: r.source,
    remoteId: r.remote_id,
    instanceId: r.instance_id,
    status: r.status,
  });
  const refById = (id: number | null): RunRef | null => {
    const r = id === null ? undefined : (refOf.get(id) as RunRow | undefined);
    return r ? toRef(r) : null;
  };
  const nameOf = (id: string | null) => (id === null ? null : ((instanceName.get(id) as string | undefined) ?? null));
  const label = (r: RunRef | null) => (r ? formatRun(r, nameOf) : 'a run no longer kept');

  function mappingOf(r: RunRow): Mapping | null {
    if (!r.mapping_id) return null;
    try {
      return mappings.get(r.mapping_id);
    } catch {
      return null; // removed: the run cannot be retried (flagged, refused)
    }
  }

  /** What a local run's mapping reaches: its workflow, and whether n8n serves its path (as of the last sync). */
  interface Route {
    mapping: Mapping | null;
    workflowId: string | null;
    webhookMissing: boolean;
  }
  function routeOf(mapping: Mapping | null): Route {
    if (!mapping) return { mapping, workflowId: null, webhookMissing: false };
    return {
      mapping,
      workflowId:
        mapping.workflowId ??
        (workflowByPath.get(mapping.instanceId, mapping.webhookPath) as string | undefined) ??
        null,
      webhookMissing:
        workflowsKnown.get(mapping.instanceId) !== undefined &&
        webhookLive.get(mapping.instanceId, mapping.webhookPath) === undefined,
    };
  }

  /** What a dry run says of one run. */
  function flagsOf(r: RunRow, route: Route): { flags: RetryFlag[]; retriedAs: RunRef | null; notes: string[] } {
    const { mapping } = route;
    const flags: RetryFlag[] = [];
    const notes: string[] = [];
    const retriedAs = refById(r.superseded_by_id);
    if (!TERMINAL_STATUSES.includes(r.status)) {
      flags.push('not_finished');
      notes.push(`still ${r.status.replace('_', ' ')}`);
    }
    if (r.superseded_by_id !== null) {
      flags.push('already_retried');
      notes.push(
        `already retried as ${retriedAs ? `${formatRunShort(retriedAs)} (${retriedAs.status.replace('_', ' ')})` : 'a run no longer kept'}`,
      );
    }
    // Only a run that was retried can have been edited since (and most runs of a bulk were not).
    if (r.superseded_by_id !== null && editedSince.get({ id: r.id })) {
      flags.push('payload_edited');
      notes.push('its payload was edited in a later retry: this sends the old one');
    }
    if (r.source === 'local') {
      if (!mapping) {
        flags.push('cannot_retry');
        notes.push('its mapping was removed');
      } else if (route.webhookMissing) {
        flags.push('webhook_missing');
        notes.push(
          `no active workflow serves /webhook/${mapping.webhookPath} (as of the last sync): n8n will answer 404`,
        );
      }
    } else if (r.status === 'succeeded') {
      flags.push('cannot_retry');
      notes.push('n8n retries only executions that failed');
    } else if (!r.remote_id) {
      flags.push('cannot_retry');
      notes.push('it is not linked to an n8n execution');
    }
    return { flags, retriedAs, notes };
  }

  const MAX_FLAGGED = 200;

  /** The dry run: per mapping and workflow by name, and every run that deserves a second look. */
  function preview(rows: RunRow[], skipRetried: boolean): RetryPreview {
    const groups = new Map<string, RetryPreview['byTarget'][number]>();
    const flagged: RetryPreview['flagged'] = [];
    let flaggedTotal = 0;
    let skipped = 0;
    // A bulk dry run reads up to 10 000 runs of a handful of mappings: look each mapping up once.
    const routes = new Map<string, Route>();
    const noMapping = routeOf(null);
    for (const r of rows) {
      if (skipRetried && r.superseded_by_id !== null) {
        skipped++;
        continue;
      }
      let route = noMapping;
      if (r.source === 'local' && r.mapping_id) {
        route = routes.get(r.mapping_id) ?? routeOf(mappingOf(r));
        routes.set(r.mapping_id, route);
      }
      const { mapping } = route;
      const instanceId = mapping?.instanceId ?? r.instance_id;
      const workflowId = route.workflowId ?? r.workflow_id;
      const key = JSON.stringify([r.source, instanceId, workflowId, r.mapping_id]);
      let g = groups.get(key);
      if (!g) {
        g = {
          source: r.source,
          instanceId,
          instanceName: nameOf(instanceId),
          workflowId,
          workflowName:
            instanceId && workflowId
              ? ((workflowName.get(instanceId, workflowId) as string | undefined) ?? null)
              : null,
          mappingId: r.mapping_id,
          mappingName: mapping?.name ?? null,
          count: 0,
          alreadyRetried: 0,
          webhookMissing: 0,
          payloadEdited: 0,
        };
        groups.set(key, g);
      }
      g.count++;
      const { flags, retriedAs, notes } = flagsOf(r, route);
      if (flags.includes('already_retried')) g.alreadyRetried++;
      if (flags.includes('webhook_missing')) g.webhookMissing++;
      if (flags.includes('payload_edited')) g.payloadEdited++;
      if (flags.length === 0) continue;
      flaggedTotal++;
      if (flagged.length < MAX_FLAGGED) {
        const ref = toRef(r);
        flagged.push({ run: ref, flags, retriedAs, message: `${label(ref)}: ${notes.join('; ')}.` });
      }
    }
    return {
      count: rows.length - skipped,
      skipped,
      byTarget: [...groups.values()].sort((a, b) => b.count - a.count),
      flagged,
      flaggedTotal,
    };
  }

  type Retried = { message: string | null; newId: number | null; outcome: RetryItem['outcome'] };
  const item = (r: RunRow, result: Retried): RetryItem => ({
    id: r.id,
    ok: result.outcome === 'queued' || result.outcome === 'retried',
    newId: result.newId,
    message: result.message,
    run: refById(r.id),
    outcome: result.outcome,
    newRun: refById(result.newId),
  });
  const refusedItem = (r: RunRow, message: string) => item(r, { message, newId: null, outcome: 'refused' });

  /**
   * A local run again, as a new run of the same mapping (its current settings). The new run
   * records what it retried (retry_of_id, kind): the original is superseded by it.
   */
  function retryLocal(r: RunRow, payloadOverride: unknown, reason: string | undefined, kind: RetryKind): RetryItem {
    const name = label(toRef(r));
    if (!TERMINAL_STATUSES.includes(r.status))
      return refusedItem(r, `${name} is still ${r.status}: wait for it to finish.`);
    if (!r.mapping_id || !r.event) return refusedItem(r, `${name} has no mapping to retry through.`);
    const mapping = mappingOf(r);
    if (!mapping) return refusedItem(r, `The mapping of ${name} was removed: it cannot be retried.`);
    const payload = payloadOverride === undefined ? parse(r.payload_json) : payloadOverride;
    return ctx.store.write((announce) => {
      const newId = executions.insert({
        instanceId: mapping.instanceId,
        workflowId: mapping.workflowId,
        mappingId: mapping.id,
        event: r.event ?? mapping.event,
        status: 'queued',
        payload,
        idempotencyKey: null,
        sourceKind: 'retry',
        retry: { ofId: r.id, kind: payloadOverride === undefined ? kind : 'edited' },
        nowMs: now(),
      });
      const request = mappings.requestFor(mapping, payload, newId, r.event ?? mapping.event);
      executions.setRequest(newId, request);
      deps.enqueueRun(newId, mapping, request.body);
      deps.audit.record(announce, {
        actor: ctx.operator(),
        action: 'execution.retry',
        targetType: 'execution',
        targetId: String(r.id),
        reason: reason ?? null,
        details: {
          run: name,
          newId,
          newRun: localRunNumber(newId),
          kind: payloadOverride === undefined ? kind : 'edited',
          editedPayload: payloadOverride !== undefined,
        },
      });
      // Both ends change: the new run appears, the original now shows what superseded it.
      announce('executions:changed', { ids: [newId, r.id] });
      return item(r, { message: null, newId, outcome: 'queued' });
    });
  }

  /**
   * An n8n execution retried by n8n itself (from the failed node); answers when the retry ends.
   * The new execution names the one it retried (retryOf): the store links them both ways.
   */
  async function retryRemote(r: RunRow, reason: string | undefined): Promise<RetryItem> {
    if (!r.instance_id || !r.remote_id) return refusedItem(r, `${label(toRef(r))} is not linked to n8n.`);
    try {
      const result = await deps.clients.forInstance(r.instance_id).retryExecution(r.remote_id, { timeoutMs: 300_000 });
      const newId = ctx.store.write((announce) => {
        // n8n answers with the new execution; its retryOf names the original even if n8n left it out.
        remote.upsertExecutions(
          r.instance_id as string,
          [{ ...result, retryOf: result.retryOf ?? r.remote_id }],
          now(),
        );
        const id = byRemote.get(r.instance_id, result.id) as number | undefined;
        const newRef = id === undefined ? null : refById(id);
        deps.audit.record(announce, {
          actor: ctx.operator(),
          action: 'execution.retry',
          targetType: 'execution',
          targetId: String(r.id),
          reason: reason ?? null,
          details: {
            run: label(toRef(r)),
            remoteId: r.remote_id,
            newRemoteId: result.id,
            ...(newRef ? { newRun: formatRun(newRef, nameOf) } : {}),
            kind: 'n8n',
          },
        });
        announce('executions:changed', { ids: id === undefined ? [r.id] : [id, r.id] });
        return id ?? null;
      });
      return item(r, { message: null, newId, outcome: 'retried' });
    } catch (error) {
      return refusedItem(
        r,
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
    skipRetried?: boolean | undefined;
  }) {
    const { rows, missing } = select(input);
    const skipRetried = input.skipRetried ?? false;
    const summary = preview(rows, skipRetried);
    if (input.dryRun) return { preview: summary, results: null };
    if (bulkRunning)
      throw new AppError('CONFLICT', 'A bulk retry is already running: wait for it to finish.', { retryable: true });
    bulkRunning = true;
    const results: RetryItem[] = missing.map((id) => ({
      id,
      ok: false,
      newId: null,
      message: `No run ${localRunNumber(id)}.`,
      run: null,
      outcome: 'refused' as const,
      newRun: null,
    }));
    const total = results.length + rows.length;
    const kind: RetryKind = input.filter || rows.length + missing.length > 1 ? 'bulk' : 'retry';
    try {
      for (const r of rows) {
        if (skipRetried && r.superseded_by_id !== null) {
          const retriedAs = refById(r.superseded_by_id);
          results.push(
            item(r, {
              message: `Skipped: already retried as ${retriedAs ? formatRunShort(retriedAs) : 'a run no longer kept'}.`,
              newId: null,
              outcome: 'skipped',
            }),
          );
        } else if (r.source === 'local') results.push(retryLocal(r, input.payload, input.reason, kind));
        // n8n retries run one at a time: n8n answers when the retried run ends, which paces them.
        else results.push(await retryRemote(r, input.reason));
        const failed = results.filter((x) => x.outcome === 'refused').length;
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
            details: { run: localRunNumber(id) },
          });
          announce('executions:changed', { ids: [id] });
        });
        return ok(id);
      } catch (error) {
        return refused(id, error instanceof AppError ? error.message : String(error));
      }
    });
  }

  const lineage = createLineageReader(db);
  const refsOf = (ids: number[]): RunRef[] => ids.flatMap((id) => refById(id) ?? []);

  return {
    detail,
    retry,
    lineage(id: number) {
      const found = lineage.chain(id);
      if (!found) throw new AppError('NOT_FOUND', `No run ${id}: it may have been removed by retention.`);
      return found;
    },
    refs: refsOf,
    cancel: (ids: number[], reason?: string) =>
      perJob(ids, 'execution.cancel', reason, 'canceled', (jobId) => void jobs.cancel([jobId])),
    requeue: (ids: number[], reason?: string) =>
      perJob(ids, 'execution.requeue', reason, 'queued', (jobId) => void jobs.requeueDead([jobId])),
  };
}
