import type { InstanceHealth } from '../../../shared/contract';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import type { Lifecycle } from '../handlers';
import { JobSettled, parseRetryAfter } from '../queue/backoff';
import type { ClaimedJob, FailOutcome, JobStore } from '../queue/job-store';
import type { Timers } from '../timers';
import { systemTimers } from '../timers';
import { createWorker, type JobHandler } from '../queue/worker';
import { mapN8nStatus } from '../n8n/status-map';
import { createDeferredRollups } from '../metrics/rollup-batch';
import type { DispatchJobPayload } from './emit';
import type { ExecutionsWriter } from './executions-writer';
import { createHeldRuns, HOLD_PREFIX } from './held-runs';
import { classifyNetworkError, classifyResponse, type DeliveryFailure } from './http-outcome';
import type { FindRunInN8n, RunLookup } from './run-lookup';
import { buildWebhookRequest } from './webhook-request';

/** One webhook call. Implemented with the n8n client (keep-alive pool per instance). */
export type WebhookPost = (request: {
  instanceId: string;
  url: string;
  body: unknown;
  /** The body as sent: JSON.stringify(body), made once by the request builder. */
  bodyText?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}) => Promise<{ status: number; headers: Record<string, string | undefined>; body: string }>;

/** What the dispatcher tells instance health, and what it reads back (instances/instance-health.ts). */
export interface DispatchHealthPort {
  get(instanceId: string): InstanceHealth;
  report(
    instanceId: string,
    source: 'dispatch',
    signal: { up: true } | { up: false; reason: string },
    options?: { announce?: Announce; startedAtMs?: number },
  ): void;
  /** A suspicious answer (a gateway error, no answer in time): probe the instance soon. */
  probeSoon(instanceId: string): void;
  /** Told of each change inside the transaction that records it. */
  onChange(listener: (announce: Announce, instanceId: string, health: InstanceHealth) => void): () => void;
}

export interface DispatcherDeps {
  ctx: CoreContext;
  jobs: JobStore;
  executions: ExecutionsWriter;
  /** Current base URL of an instance, or null when it was removed. */
  instanceBaseUrl(instanceId: string): string | null;
  /** An instance's name for the operator's messages ("waiting for prod …"); default: its id. */
  instanceName?(instanceId: string): string | null;
  post: WebhookPost;
  /**
   * Instance health: every answer and failure is a signal, and an instance found down holds its
   * runs (no attempt spent) until n8n answers again. Absent: runs that cannot reach n8n are given
   * back with backoff, still without spending attempts.
   */
  health?: DispatchHealthPort;
  /**
   * Looks for a run's execution in n8n by its mark, before a run whose attempt may have reached
   * n8n is sent again (crash recovery, a broken connection, no answer in time). Absent: nothing is
   * looked up and such runs are sent again (at least once).
   */
  findRunInN8n?: FindRunInN8n;
  /**
   * Why a 404 at a webhook path is worth another try (the workflow went live a moment ago, or n8n
   * reports it active: n8n 2.x registers webhooks asynchronously); null when it is final.
   */
  webhookGraceReason?(instanceId: string, webhookPath: string, nowMs: number): string | null;
  /** Whether the mapping opted in to running a failed workflow again (read at failure time). */
  rerunsFailedWorkflow?(mappingId: string): boolean;
  /** How long runs may wait for an offline instance before they are dead-lettered, ms. Default 7 days. */
  holdLimitMs?(): number;
  /** How often holds are checked (the limit, and runs queued since a hold began), ms. Default 5 000. */
  holdSweepMs?: number;
  /** Webhook calls in flight at once (across instances; per-group limits apply on top). Default 16. */
  concurrency?: number;
  /** Lease per claimed job, ms (renewed while the call runs). Default 30 000. */
  leaseMs?: number;
  timers?: Timers;
}

/** n8n's webhook answer sometimes names the execution (`{"executionId": "123"}`): link it. */
function remoteIdIn(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { executionId?: unknown };
    return typeof parsed.executionId === 'string' || typeof parsed.executionId === 'number'
      ? String(parsed.executionId)
      : null;
  } catch {
    return null;
  }
}

const HOLD_LIMIT_DEFAULT_MS = 7 * 86_400_000;
/** How long after n8n came back its start-up answers are held rather than counted, ms. */
const RESTART_WINDOW_MS = 5 * 60_000;
/** n8n statuses of an execution it has not finished (nor marked crashed) yet. */
const STILL_OPEN = new Set(['new', 'running']);
const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
const seconds = (ms: number) => (ms < 1000 ? 'at once' : `in ${Math.round(ms / 1000)} s`);

/**
 * Posts queued runs to their n8n webhooks and records every attempt on the local run. It
 * decides, from what n8n answered (or did not), whether the attempt counts: only answers from
 * n8n spend attempts. Runs of an instance that cannot be reached wait on a hold; a run whose
 * attempt may have reached n8n is looked for in n8n before it is sent again.
 */
export function createDispatcher(deps: DispatcherDeps): Lifecycle {
  const { ctx, executions, jobs } = deps;
  const { db } = ctx.store;
  const now = () => ctx.clock.now();
  const timers = deps.timers ?? systemTimers;
  const nameOf = (id: string) => deps.instanceName?.(id) ?? id;
  const held = createHeldRuns(db);
  const runStart = db.prepare('SELECT started_at_ms, created_at_ms, workflow_id FROM executions WHERE id = ?');
  // A turn's successes reach the metric rollups with one statement at its end, not per run.
  const rollups = createDeferredRollups(db);

  const changed = (announce: Announce, id: number) => announce('executions:changed', { ids: [id] });

  /** Why a run waits for its instance, for the run's row and the queue's hold. */
  function waitingReason(instanceId: string, why: string): string {
    const health = deps.health?.get(instanceId);
    const since = health?.state === 'down' && health.sinceMs !== null ? ` (offline since ${time(health.sinceMs)})` : '';
    return `${HOLD_PREFIX}${nameOf(instanceId)}${since}: ${why}. Not counted as an attempt.`;
  }

  /** Backoff for attempts given back without counting (no answer, an unknown check): 1 s doubling to 60 s. */
  const returnDelay = (job: ClaimedJob) => Math.min(60_000, 1000 * 2 ** Math.min(6, job.attempt - job.attemptsMade));

  /** Gives the job back uncounted, with the run's row, in one transaction; then tells the worker. */
  function giveBack(
    job: ClaimedJob,
    opts: { reason: string; runError: string; uncertain: boolean; delayMs: number; down?: string; sent: boolean },
  ): never {
    const payload = job.payload as DispatchJobPayload;
    ctx.store.write((announce) => {
      // The job first: a lease lost meanwhile (CONFLICT) must undo this before health moves.
      jobs.returnJob({
        id: job.id,
        leaseToken: job.leaseToken,
        reason: opts.reason,
        delayMs: deps.health && opts.down !== undefined ? 0 : opts.delayMs,
        uncertain: opts.uncertain,
      });
      held.markWaiting(payload.executionId, opts.runError, now(), opts.sent);
      if (opts.down !== undefined)
        deps.health?.report(job.instanceId, 'dispatch', { up: false, reason: opts.down }, { announce });
      changed(announce, payload.executionId);
    });
    throw new JobSettled(opts.reason);
  }

  /** Records a counted failure and the run's row with what happens next, in one transaction. */
  function failCounted(job: ClaimedJob, failure: DeliveryFailure, body: string | null, unrecoverable: boolean): never {
    const payload = job.payload as DispatchJobPayload;
    ctx.store.write((announce) => {
      const outcome: FailOutcome = jobs.fail({
        id: job.id,
        leaseToken: job.leaseToken,
        error: failure.message,
        unrecoverable,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
        ...(failure.uncertain ? { uncertain: true } : {}),
      });
      const last = outcome.state === 'dead_lettered';
      const next = last
        ? unrecoverable
          ? ''
          : ` Gave up after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}.`
        : ` Retrying ${seconds((outcome.runAtMs ?? now()) - now())} (attempt ${job.attemptsMade + 1} of ${job.maxAttempts}).`;
      const workflowFailed = failure.kind === 'workflow_failed';
      executions.markOutcome(
        payload.executionId,
        {
          status: last ? (workflowFailed ? 'failed' : 'dead_lettered') : 'retrying',
          terminal: last,
          error: failure.message + next,
          httpStatus: failure.httpStatus ?? null,
          body,
        },
        now(),
      );
      changed(announce, payload.executionId);
    });
    throw new JobSettled(failure.message);
  }

  /**
   * The workflow ran and failed: the run is `failed`, the job done (n8n took the call). The linker
   * links it to its n8n execution (n8n's 500 means n8n ran it).
   */
  function workflowFailed(job: ClaimedJob, failure: DeliveryFailure, body: string) {
    const payload = job.payload as DispatchJobPayload;
    const rerun = deps.rerunsFailedWorkflow?.(job.mappingId) ?? false;
    if (rerun && job.attemptsMade < job.maxAttempts) {
      return failCounted(
        job,
        { ...failure, message: `${failure.message} The mapping runs failed workflows again.` },
        body,
        false,
      );
    }
    const record = () =>
      ctx.store.write((announce) => {
        executions.markOutcome(
          payload.executionId,
          {
            status: 'failed',
            terminal: true,
            error: `${failure.message} Not run again automatically (it may have done part of its work): use Retry once the cause is fixed.`,
            httpStatus: failure.httpStatus ?? null,
            body,
          },
          now(),
        );
        changed(announce, payload.executionId);
      });
    return { httpStatus: failure.httpStatus ?? 500, result: { workflowFailed: true }, record };
  }

  /** A run found in n8n before sending it again: record what n8n knows, send nothing. */
  function resolveFound(job: ClaimedJob, lookup: Extract<RunLookup, { state: 'found' }>) {
    const payload = job.payload as DispatchJobPayload;
    const status = mapN8nStatus(lookup.execution);
    const terminal = status === 'succeeded' || status === 'failed' || status === 'canceled';
    ctx.store.write((announce) => {
      executions.markOutcome(
        payload.executionId,
        {
          status,
          terminal,
          error:
            lookup.execution.status === 'crashed'
              ? `n8n stopped while running it (execution ${lookup.execution.id} crashed): not a workflow error, but it may have done part of its work, so it is not sent again. Use Retry to send it again.`
              : status === 'failed'
                ? `n8n ran it as execution ${lookup.execution.id}, which failed; not sent again.`
                : null,
          remoteId: lookup.execution.id,
        },
        now(),
      );
      changed(announce, payload.executionId);
    });
    return { result: { foundInN8n: lookup.execution.id } };
  }

  /**
   * Jobs whose runs were marked started in the claim's own transaction (one commit per worker
   * turn, not one per run). An uncertain job is looked for in n8n first and a job whose instance
   * is gone is not sent: those are marked, if at all, by the handler.
   */
  const markedAtClaim = new Set<number>();
  function markClaimed(claimed: ClaimedJob[]): void {
    const ids: number[] = [];
    for (const job of claimed) {
      if (job.uncertain || deps.instanceBaseUrl(job.instanceId) === null) continue;
      const { executionId } = job.payload as DispatchJobPayload;
      try {
        // One statement inside the claim's transaction: SQLite undoes a failed statement alone,
        // so no savepoint is needed to keep the others.
        executions.markDispatching(executionId, now());
        markedAtClaim.add(job.id);
        ids.push(executionId);
      } catch (error) {
        ctx.logger.warn('Dispatcher: could not mark a run started at its claim', { error, executionId });
      }
    }
    if (ids.length > 0) ctx.store.join((announce) => announce('executions:changed', { ids }));
  }

  const handler: JobHandler = async (job, signal) => {
    const payload = job.payload as DispatchJobPayload;
    const base = deps.instanceBaseUrl(job.instanceId);
    if (!base)
      return failCounted(
        job,
        { kind: 'cannot_succeed', message: `Instance ${job.instanceId} no longer exists: this run cannot be sent.` },
        null,
        true,
      );
    const request = buildWebhookRequest({ ...payload, baseUrl: base }); // the same builder as the preview
    const url = request.url;
    const startedAtMs = now();

    // The last attempt may have reached n8n (the console stopped mid-call, the connection broke,
    // no answer came): look for the run in n8n first, and send it only if n8n never got it.
    if (job.uncertain && deps.findRunInN8n) {
      const row = runStart.get(payload.executionId) as
        { started_at_ms: number | null; created_at_ms: number; workflow_id: string | null } | undefined;
      const since = row?.started_at_ms ?? row?.created_at_ms ?? job.createdAtMs;
      const lookup = await deps.findRunInN8n(job.instanceId, row?.workflow_id ?? null, payload.executionId, since);
      // n8n still shows it new or running: it may yet finish, or n8n (just restarted) may not have
      // marked it crashed yet (2.41.1 does so during its start, after webhooks already answer).
      // Look again until n8n knows: a crashed one that ran nothing is sent again, not taken as the run.
      if (lookup.state === 'found' && STILL_OPEN.has(lookup.execution.status ?? '')) {
        const why = `n8n has it as execution ${lookup.execution.id}, still ${lookup.execution.status}; looked at again until n8n finishes it`;
        return giveBack(job, {
          reason: `Not sent again: ${why}.`,
          runError: `${why}. Not counted as an attempt.`,
          uncertain: true,
          delayMs: returnDelay(job),
          sent: false,
        });
      }
      if (lookup.state === 'found') return resolveFound(job, lookup);
      if (lookup.state === 'unknown') {
        deps.health?.probeSoon(job.instanceId);
        const why = `its last attempt may have reached n8n, and n8n could not tell whether it ran (${lookup.reason})`;
        return giveBack(job, {
          reason: `Not sent again: ${why}.`,
          runError: waitingReason(job.instanceId, why),
          uncertain: true,
          delayMs: returnDelay(job),
          sent: false,
        });
      }
    }

    if (!markedAtClaim.delete(job.id)) {
      ctx.store.write((announce) => {
        executions.markDispatching(payload.executionId, now());
        changed(announce, payload.executionId);
      });
    }
    const timeoutMs = job.timeoutMs ?? 30_000;
    let response: Awaited<ReturnType<WebhookPost>>;
    try {
      response = await deps.post({
        instanceId: job.instanceId,
        url,
        body: request.body,
        bodyText: request.bodyText,
        headers: request.headers,
        timeoutMs,
        signal,
      });
    } catch (error) {
      const failure = classifyNetworkError(error, url, timeoutMs, signal.aborted);
      if (failure.kind === 'no_answer') {
        deps.health?.probeSoon(job.instanceId);
        return giveBack(job, {
          reason: failure.message,
          runError: `${failure.message} It is looked for in n8n before being sent again. Not counted as an attempt.`,
          uncertain: true,
          delayMs: returnDelay(job),
          sent: true,
        });
      }
      const reason = failure.holdReason ?? failure.message;
      return giveBack(job, {
        reason: failure.message,
        runError: waitingReason(job.instanceId, reason),
        uncertain: failure.uncertain ?? false,
        delayMs: returnDelay(job),
        down: reason,
        sent: true,
      });
    }

    const failure = classifyResponse({
      status: response.status,
      contentType: response.headers['content-type'] ?? '',
      body: response.body,
      url,
      ...(response.status === 429 ? { retryAfterMs: parseRetryAfter(response.headers['retry-after'], now()) } : {}),
      webhookGrace:
        response.status === 404
          ? (deps.webhookGraceReason?.(job.instanceId, payload.webhookPath, now()) ?? null)
          : null,
    });
    if (failure?.kind === 'unreachable') {
      const reason = failure.holdReason ?? failure.message;
      return giveBack(job, {
        reason: failure.message,
        runError: waitingReason(job.instanceId, reason),
        // n8n cut a call it may have started (its shutdown answer): looked for before it is sent again.
        uncertain: failure.uncertain ?? false,
        delayMs: returnDelay(job),
        down: reason,
        sent: true,
      });
    }
    // Anything else is an answer from n8n: it is up.
    deps.health?.report(job.instanceId, 'dispatch', { up: true }, { startedAtMs });
    // n8n's answer while it starts or stops: given back, no attempt spent, when n8n came back
    // moments ago; later the same answer counts, so a lasting fault still ends.
    if (failure?.aroundRestart && deps.health) {
      const health = deps.health.get(job.instanceId);
      const recent = health.sinceMs === null || now() - health.sinceMs < RESTART_WINDOW_MS;
      if (recent) {
        const reason = failure.holdReason ?? failure.message;
        return giveBack(job, {
          reason: failure.message,
          runError: waitingReason(job.instanceId, reason),
          uncertain: true,
          // Not marked down: n8n answers, and a hold lifted by the next probe would restart the window.
          delayMs: returnDelay(job),
          sent: true,
        });
      }
    }
    if (failure?.kind === 'workflow_failed') return workflowFailed(job, failure, response.body);
    if (failure) {
      if (failure.uncertain) deps.health?.probeSoon(job.instanceId);
      return failCounted(job, failure, response.body, failure.kind === 'cannot_succeed');
    }

    // Written with the job's completion, in the worker's turn: one commit for the turn's outcomes.
    const record = () =>
      ctx.store.write((announce) => {
        rollups.hold(payload.executionId);
        executions.markOutcome(
          payload.executionId,
          {
            status: 'succeeded',
            terminal: true,
            httpStatus: response.status,
            body: response.body,
            remoteId: remoteIdIn(response.body),
          },
          now(),
        );
        changed(announce, payload.executionId);
      });
    return { httpStatus: response.status, record };
  };

  const worker = createWorker({
    store: jobs,
    handler,
    concurrency: deps.concurrency ?? 16,
    ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}),
    clock: ctx.clock,
    ...(deps.timers ? { timers: deps.timers } : {}),
    onError: (error) => ctx.logger.warn('Dispatcher: a queue operation failed and will be retried', { error }),
    // A turn's completions, their runs' outcomes, the next claim and its runs' start: one commit.
    transaction: (fn) => ctx.store.write(() => rollups.around(fn)),
    onClaimed: markClaimed,
  });

  /** The queue's hold follows the instance's health, in the same transaction. */
  const offHealth = deps.health?.onChange((announce, instanceId, health) => {
    if (health.state === 'down') {
      const sinceMs = health.sinceMs ?? now();
      const reason = health.reason ?? 'n8n does not answer';
      jobs.holdInstance({ instanceId, reason, sinceMs });
      const ids = held.markInstanceWaiting(instanceId, waitingReason(instanceId, reason), now());
      if (ids.length) announce('executions:changed', { ids: ids.length > 200 ? [] : ids });
    } else {
      jobs.liftHold(instanceId);
      const ids = held.clearInstanceWaiting(instanceId, now());
      if (ids.length) announce('executions:changed', { ids: ids.length > 200 ? [] : ids });
    }
  });

  /**
   * Holds follow health (they are written together; this mends a store changed behind their back),
   * an instance removed while held is released so its runs end, and runs that waited for an
   * offline instance longer than the hold limit end as dead letters.
   */
  function sweepHolds(): void {
    const limit = deps.holdLimitMs?.() ?? HOLD_LIMIT_DEFAULT_MS;
    try {
      ctx.store.write((announce) => {
        const marked: number[] = [];
        for (const hold of jobs.counts().holds) {
          const gone = deps.instanceBaseUrl(hold.instanceId) === null;
          if (gone || (deps.health && deps.health.get(hold.instanceId).state !== 'down')) {
            jobs.liftHold(hold.instanceId);
            continue;
          }
          // Runs queued since the hold began say why they wait too.
          marked.push(...held.markInstanceWaiting(hold.instanceId, waitingReason(hold.instanceId, hold.reason), now()));
        }
        if (marked.length) announce('executions:changed', { ids: marked.length > 200 ? [] : marked });
        const expired = jobs.expireHeld(
          now() - limit,
          (hold) =>
            `Waited for ${nameOf(hold.instanceId)} (offline since ${time(hold.sinceMs)}: ${hold.reason}) longer than the hold limit of ${Math.round(limit / 3_600_000)} h. Requeue it once n8n is back.`,
        );
        const ids: number[] = [];
        for (const job of expired) {
          if (job.executionId === null) continue;
          executions.markOutcome(
            job.executionId,
            { status: 'dead_lettered', terminal: true, error: job.lastError },
            now(),
          );
          ids.push(job.executionId);
        }
        if (ids.length) announce('executions:changed', { ids: ids.length > 200 ? [] : ids });
      });
    } catch (error) {
      ctx.logger.warn('Could not apply the hold limit', { error });
    }
  }

  let sweep: unknown;
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    sweepHolds();
    sweep = timers.setTimeout(loop, deps.holdSweepMs ?? 5_000);
  };

  return {
    start: () => {
      worker.start();
      loop();
    },
    stop: async () => {
      stopped = true;
      timers.clearTimeout(sweep);
      offHealth?.();
      await worker.stop();
    },
  };
}
