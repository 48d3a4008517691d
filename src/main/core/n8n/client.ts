import { Pool, type Dispatcher } from 'undici';
import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { errorFromStatus, errorFromTransport, parseRetryAfter } from './errors';
import {
  healthSchema,
  n8nErrorBodySchema,
  n8nExecutionSchema,
  n8nTagSchema,
  n8nVariableSchema,
  n8nWorkflowSchema,
  pageOf,
  restSettingsSchema,
  type N8nExecution,
  type N8nWorkflow,
  type Page,
} from './schemas';

export interface N8nClientOptions {
  /** Where n8n serves, e.g. https://n8n.example.com or http://127.0.0.1:5678/n8n. */
  baseUrl: string;
  apiKey: string;
  /** For tests (undici MockAgent) or a shared agent; default: a keep-alive Pool of this origin. */
  dispatcher?: Dispatcher;
  /** Per request: time to first byte and between body chunks (ms). Default 15 000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls after a network error, 5xx or 429. Default 2. */
  retries?: number;
  /** First backoff step (ms), doubled per attempt with ±25 % jitter. Default 250. */
  backoffMs?: number;
  /** Longest Retry-After (ms) waited for inside one call; longer ones fail as N8N_RATE_LIMITED. Default 30 000. */
  maxRetryAfterMs?: number;
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface RequestSpec<S extends z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Safe to send twice: retried on network errors, 5xx and 429. */
  idempotent: boolean;
  /** Human words for messages: "the executions list". */
  what: string;
  schema: S;
  /** Outside /api/v1 (webhooks, /healthz, /rest/settings). */
  raw?: boolean;
  /** Do not send the API key (webhook doors and /healthz do not need it). */
  anonymous?: boolean;
  timeoutMs?: number;
}

/** What a webhook door answered: n8n's own status and body (the workflow's response). */
export interface WebhookAnswer {
  status: number;
  body: unknown;
}

// Built once: zod compiles a schema on first use, and the sync parses thousands of pages.
const executionPageSchema = pageOf(n8nExecutionSchema);
const workflowPageSchema = pageOf(n8nWorkflowSchema);
const tagPageSchema = pageOf(n8nTagSchema);
const variablePageSchema = pageOf(n8nVariableSchema);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A client for n8n's public API v1 and its two run-time doors (webhook, webhook-waiting).
 * One keep-alive pool per instance; every answer is validated and every failure mapped once
 * to a stable code (errors.ts). The API key is sent as a header and appears nowhere else.
 */
export class N8nClient {
  readonly origin: string;
  private readonly prefix: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  readonly #apiKey: string;

  constructor(options: N8nClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Pool(this.origin, { connections: 8, keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  get baseUrl(): string {
    return this.origin + this.prefix;
  }

  // ---- health -------------------------------------------------------------------------------

  /** GET /healthz (no key needed). */
  async health(): Promise<{ status: string }> {
    return this.send({
      method: 'GET',
      path: '/healthz',
      raw: true,
      anonymous: true,
      idempotent: false,
      what: 'the health check',
      schema: healthSchema,
    });
  }

  /**
   * n8n's version, or null where it cannot be told. GET /rest/settings carries it when n8n's
   * settings are open (versionCli); 1.123 keeps it out of the public settings, but its editor page
   * names the release in a meta tag (n8n:config:sentry → "n8n@1.123.81").
   */
  async version(): Promise<string | null> {
    const anonymous = { method: 'GET', raw: true, anonymous: true, idempotent: true, what: 'the version' } as const;
    try {
      const settings = await this.send({ ...anonymous, path: '/rest/settings', schema: restSettingsSchema });
      if (settings.data.versionCli) return settings.data.versionCli;
      const page = await this.attempt({ ...anonymous, path: '/', schema: undefined }, false);
      return typeof page === 'string' ? versionFromEditorPage(page) : null;
    } catch {
      // A reverse proxy may hide /rest or the editor (n8n itself answers 404 on / for a while
      // after a restart): the version is a nice-to-have, and the sync keeps the last one known.
      return null;
    }
  }

  // ---- workflows ----------------------------------------------------------------------------

  listWorkflows(
    query: { cursor?: string; limit?: number; active?: boolean; tags?: string } = {},
  ): Promise<Page<N8nWorkflow>> {
    return this.send({
      method: 'GET',
      path: '/workflows',
      query: { limit: query.limit ?? 100, ...query },
      idempotent: true,
      what: 'the workflows list',
      schema: workflowPageSchema,
    });
  }

  /** Every workflow, following cursors. */
  async listAllWorkflows(): Promise<N8nWorkflow[]> {
    const all: N8nWorkflow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listWorkflows({ limit: 250, ...(cursor ? { cursor } : {}) });
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  getWorkflow(id: string): Promise<N8nWorkflow> {
    return this.send({
      method: 'GET',
      path: `/workflows/${enc(id)}`,
      idempotent: true,
      what: `workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  /** Body: name, nodes, connections, settings (n8n rejects read-only fields such as id, active, tags). */
  createWorkflow(body: Record<string, unknown>): Promise<N8nWorkflow> {
    return this.send({
      method: 'POST',
      path: '/workflows',
      body,
      idempotent: false,
      what: 'creating a workflow',
      schema: n8nWorkflowSchema,
    });
  }

  updateWorkflow(id: string, body: Record<string, unknown>): Promise<N8nWorkflow> {
    return this.send({
      method: 'PUT',
      path: `/workflows/${enc(id)}`,
      body,
      idempotent: true,
      what: `updating workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  deleteWorkflow(id: string): Promise<N8nWorkflow> {
    return this.send({
      method: 'DELETE',
      path: `/workflows/${enc(id)}`,
      idempotent: false,
      what: `deleting workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  /** Setting a state twice is harmless, so these two are retried like reads. */
  activateWorkflow(id: string): Promise<N8nWorkflow> {
    return this.send({
      method: 'POST',
      path: `/workflows/${enc(id)}/activate`,
      idempotent: true,
      what: `activating workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  deactivateWorkflow(id: string): Promise<N8nWorkflow> {
    return this.send({
      method: 'POST',
      path: `/workflows/${enc(id)}/deactivate`,
      idempotent: true,
      what: `deactivating workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  // ---- executions ---------------------------------------------------------------------------

  /** Newest first; up to 250 a page; follow `nextCursor`. */
  listExecutions(
    query: { status?: string; workflowId?: string; includeData?: boolean; limit?: number; cursor?: string } = {},
  ): Promise<Page<N8nExecution>> {
    if (query.limit !== undefined && (query.limit < 1 || query.limit > 250))
      throw new AppError('VALIDATION', 'n8n pages executions 1 to 250 at a time.');
    return this.send({
      method: 'GET',
      path: '/executions',
      query,
      idempotent: true,
      what: 'the executions list',
      schema: executionPageSchema,
    });
  }

  /**
   * Every page of executions, newest first, following cursors. The next page is requested as
   * soon as this one has arrived, so n8n reads it while this one is validated and stored.
   * With `stopAtId`, paging ends after the page that reaches that id (nothing older is fetched).
   */
  async *executionPages(
    query: { status?: string; workflowId?: string; includeData?: boolean; limit?: number; stopAtId?: number } = {},
  ): AsyncGenerator<Page<N8nExecution>> {
    const { stopAtId, ...rest } = query;
    if (rest.limit !== undefined && (rest.limit < 1 || rest.limit > 250))
      throw new AppError('VALIDATION', 'n8n pages executions 1 to 250 at a time.');
    const fetchRaw = (cursor?: string) => {
      const request = this.send({
        method: 'GET',
        path: '/executions',
        query: { ...rest, ...(cursor ? { cursor } : {}) },
        idempotent: true,
        what: 'the executions list',
        schema: z.unknown(),
      });
      // Awaited below; this only keeps an abandoned prefetch from being an unhandled rejection.
      request.catch(() => undefined);
      return request;
    };
    let pending = fetchRaw();
    for (;;) {
      const raw = await pending;
      const { nextCursor, minId } = peekPage(raw);
      const last = !nextCursor || (stopAtId !== undefined && minId <= stopAtId);
      if (!last && nextCursor) pending = fetchRaw(nextCursor);
      yield validate(executionPageSchema, raw, 'the executions list');
      if (last) return;
    }
  }

  getExecution(id: string, options: { includeData?: boolean } = {}): Promise<N8nExecution> {
    return this.send({
      method: 'GET',
      path: `/executions/${enc(id)}`,
      query: { includeData: options.includeData },
      idempotent: true,
      what: `execution ${id}`,
      schema: n8nExecutionSchema,
    });
  }

  deleteExecution(id: string): Promise<N8nExecution> {
    return this.send({
      method: 'DELETE',
      path: `/executions/${enc(id)}`,
      idempotent: false,
      what: `deleting execution ${id}`,
      schema: n8nExecutionSchema,
    });
  }

  /** Re-runs a failed execution from the node that failed; answers when the new run ends. */
  retryExecution(id: string, options: { loadWorkflow?: boolean; timeoutMs?: number } = {}): Promise<N8nExecution> {
    return this.send({
      method: 'POST',
      path: `/executions/${enc(id)}/retry`,
      body: options.loadWorkflow === undefined ? {} : { loadWorkflow: options.loadWorkflow },
      idempotent: false,
      what: `retrying execution ${id}`,
      schema: n8nExecutionSchema,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  // ---- tags, variables ----------------------------------------------------------------------

  listTags(query: { cursor?: string; limit?: number } = {}) {
    return this.send({
      method: 'GET',
      path: '/tags',
      query,
      idempotent: true,
      what: 'the tags list',
      schema: tagPageSchema,
    });
  }

  createTag(name: string) {
    return this.send({
      method: 'POST',
      path: '/tags',
      body: { name },
      idempotent: false,
      what: 'creating a tag',
      schema: n8nTagSchema,
    });
  }

  setWorkflowTags(workflowId: string, tagIds: string[]) {
    return this.send({
      method: 'PUT',
      path: `/workflows/${enc(workflowId)}/tags`,
      body: tagIds.map((id) => ({ id })),
      idempotent: true,
      what: `the tags of workflow ${workflowId}`,
      schema: tagPageSchema.shape.data,
    });
  }

  /** Needs n8n's variables licence feature; without it n8n answers 403 (N8N_FORBIDDEN). */
  listVariables(query: { cursor?: string; limit?: number } = {}) {
    return this.send({
      method: 'GET',
      path: '/variables',
      query,
      idempotent: true,
      what: 'the variables list',
      schema: variablePageSchema,
    });
  }

  // ---- run-time doors -----------------------------------------------------------------------

  /** POST /webhook/<path>: starts the workflow behind an active Webhook node. Never retried. */
  postWebhook(path: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<WebhookAnswer> {
    return this.door(`/webhook/${path.replace(/^\/+/, '')}`, body, 'the webhook', options.timeoutMs);
  }

  /** POST /webhook-waiting/<executionId>: resumes an execution parked on a Wait node. */
  resumeWaiting(executionId: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<WebhookAnswer> {
    return this.door(
      `/webhook-waiting/${enc(executionId)}`,
      body,
      `resuming execution ${executionId}`,
      options.timeoutMs,
    );
  }

  /** Lets requests in flight finish, then closes the pool. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Aborts requests in flight (they fail as N8N_UNREACHABLE) and closes the pool: for shutdown. */
  async destroy(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private async door(path: string, body: unknown, what: string, timeoutMs?: number): Promise<WebhookAnswer> {
    const answer = await this.attempt(
      {
        method: 'POST',
        path,
        body,
        raw: true,
        anonymous: true,
        idempotent: false,
        what,
        schema: undefined,
        timeoutMs: timeoutMs ?? 60_000,
      },
      true,
    );
    return answer as WebhookAnswer;
  }

  private async send<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.attempt(spec, false)) as z.output<S>;
      } catch (error) {
        const wait = this.retryDelay(spec, error, attempt);
        if (wait === undefined) throw error;
        await this.sleep(wait);
      }
    }
  }

  /** How long to wait before trying again, or undefined to give up. */
  private retryDelay(spec: RequestSpec<z.ZodType | undefined>, error: unknown, attempt: number): number | undefined {
    if (!spec.idempotent || attempt >= this.retries || !(error instanceof AppError) || !error.retryable)
      return undefined;
    if (error.code === 'N8N_RATE_LIMITED') {
      const after = (error.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
      if (after === undefined) return this.backoff(attempt);
      return after <= this.maxRetryAfterMs ? after : undefined;
    }
    return this.backoff(attempt);
  }

  private backoff(attempt: number): number {
    const base = this.backoffMs * 2 ** attempt;
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  private async attempt(spec: RequestSpec<z.ZodType | undefined>, passThrough: boolean): Promise<unknown> {
    const path = this.prefix + (spec.raw ? '' : '/api/v1') + spec.path + queryString(spec.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!spec.anonymous) headers['x-n8n-api-key'] = this.#apiKey;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = spec.timeoutMs ?? this.timeoutMs;
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await this.dispatcher.request({
        origin: this.origin,
        path,
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      text = await response.body.text();
    } catch (error) {
      throw errorFromTransport(error, this.baseUrl, spec.what);
    }
    const parsed = parseJson(text);
    if (passThrough) return { status: response.statusCode, body: parsed.ok ? parsed.value : text };
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const message = parsed.ok ? n8nErrorBodySchema.safeParse(parsed.value).data?.message : undefined;
      const retryAfter = parseRetryAfter(response.headers['retry-after'], this.now());
      throw errorFromStatus(response.statusCode, spec.what, message, retryAfter);
    }
    if (!spec.schema) return parsed.ok ? parsed.value : text;
    if (!parsed.ok) throw badResponse(spec.what, 'the answer is not JSON (is this address n8n, or a proxy page?)');
    return validate(spec.schema, parsed.value, spec.what);
  }
}

const enc = encodeURIComponent;

/** Checks an answer against its schema: a mismatch is N8N_BAD_RESPONSE naming the first bad field. */
function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw badResponse(what, `unexpected shape at ${issue?.path.join('.') || 'the top'}: ${issue?.message ?? ''}`);
  }
  return checked.data;
}

/** The cursor and the lowest numeric id of a raw (not yet validated) page, to plan the next request. */
function peekPage(raw: unknown): { nextCursor: string | null; minId: number } {
  const page = raw as { nextCursor?: unknown; data?: unknown } | null;
  const ids = Array.isArray(page?.data) ? page.data.map((e) => Number((e as { id?: unknown } | null)?.id)) : [];
  const finite = ids.filter(Number.isFinite);
  return {
    nextCursor: typeof page?.nextCursor === 'string' && page.nextCursor ? page.nextCursor : null,
    minId: finite.length ? Math.min(...finite) : Infinity,
  };
}

/** The release named in the editor page's sentry config meta tag, e.g. 1.123.81. */
export function versionFromEditorPage(html: string): string | null {
  const meta = /name="n8n:config:sentry"\s+content="([A-Za-z0-9+/=]+)"/.exec(html)?.[1];
  if (!meta) return null;
  try {
    const release = (JSON.parse(Buffer.from(meta, 'base64').toString('utf8')) as { release?: unknown }).release;
    return typeof release === 'string' ? (/^n8n@(.+)$/.exec(release)?.[1] ?? null) : null;
  } catch {
    return null;
  }
}

function queryString(query: RequestSpec<undefined>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function badResponse(what: string, why: string): AppError {
  return new AppError(
    'N8N_BAD_RESPONSE',
    `n8n's answer for ${what} was not understood: ${why}. Is the address an n8n ${'instance'} of version 1.x?`,
  );
}
