import type { CoreContext } from '../context';
import type { Lifecycle } from '../handlers';
import { JobFailure, parseRetryAfter } from '../queue/backoff';
import type { ClaimedJob, JobStore } from '../queue/job-store';
import type { Timers } from '../timers';
import { createWorker, type JobHandler } from '../queue/worker';
import type { DispatchJobPayload } from './emit';
import type { ExecutionsWriter } from './executions-writer';
import { classifyNetworkError, classifyResponse, type DeliveryFailure } from './http-outcome';
import { buildWebhookRequest } from './webhook-request';

/** One webhook call. Implemented with the n8n client (keep-alive pool per instance). */
export type WebhookPost = (request: {
  instanceId: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}) => Promise<{ status: number; headers: Record<string, string | undefined>; body: string }>;

export interface DispatcherDeps {
  ctx: CoreContext;
  jobs: JobStore;
  executions: ExecutionsWriter;
  /** Current base URL of an instance, or null when it was removed. */
  instanceBaseUrl(instanceId: string): string | null;
  post: WebhookPost;
  /** Webhook calls in flight at once (across instances; per-group limits apply on top). Default 16. */
  concurrency?: number;
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

/**
 * Posts queued runs to their n8n webhooks and records every attempt on the local execution.
 * The queue decides retries; this only says what happened and whether retrying can help.
 */
export function createDispatcher(deps: DispatcherDeps): Lifecycle {
  const { ctx, executions } = deps;
  const now = () => ctx.clock.now();

  const record = (job: ClaimedJob, failure: DeliveryFailure, body: string | null = null): never => {
    const payload = job.payload as DispatchJobPayload;
    const last = failure.unrecoverable || job.attempt >= job.maxAttempts;
    ctx.store.write((announce) => {
      executions.markOutcome(
        payload.executionId,
        {
          status: last ? 'dead_lettered' : 'retrying',
          terminal: last,
          error: failure.message,
          httpStatus: failure.httpStatus ?? null,
          body,
        },
        now(),
      );
      announce('executions:changed', { ids: [payload.executionId] });
    });
    throw new JobFailure(failure.message, {
      unrecoverable: failure.unrecoverable,
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
    });
  };

  const handler: JobHandler = async (job, signal) => {
    const payload = job.payload as DispatchJobPayload;
    const base = deps.instanceBaseUrl(job.instanceId);
    if (!base)
      return record(job, {
        message: `Instance ${job.instanceId} no longer exists: this run cannot be sent.`,
        unrecoverable: true,
      });
    const request = buildWebhookRequest({ ...payload, baseUrl: base }); // the same builder as the preview
    const url = request.url;
    ctx.store.write((announce) => {
      executions.markDispatching(payload.executionId, now());
      announce('executions:changed', { ids: [payload.executionId] });
    });

    const timeoutMs = job.timeoutMs ?? 30_000;
    let response: Awaited<ReturnType<WebhookPost>>;
    try {
      response = await deps.post({
        instanceId: job.instanceId,
        url,
        body: request.body,
        headers: request.headers,
        timeoutMs,
        signal,
      });
    } catch (error) {
      return record(job, classifyNetworkError(error, url, timeoutMs));
    }
    const failure = classifyResponse(response.status, url, parseRetryAfter(response.headers['retry-after'], now()));
    if (failure) return record(job, failure, response.body);

    ctx.store.write((announce) => {
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
      announce('executions:changed', { ids: [payload.executionId] });
    });
    return { httpStatus: response.status };
  };

  const worker = createWorker({
    store: deps.jobs,
    handler,
    concurrency: deps.concurrency ?? 16,
    clock: ctx.clock,
    ...(deps.timers ? { timers: deps.timers } : {}),
    onError: (error) => ctx.logger.warn('Dispatcher: a queue operation failed and will be retried', { error }),
  });
  return { start: () => worker.start(), stop: () => worker.stop() };
}
