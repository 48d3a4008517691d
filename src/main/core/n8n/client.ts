import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { N8nHttp, validate, type WebhookAnswer } from './http';
import {
  healthSchema,
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

export type { N8nClientOptions, WebhookAnswer } from './http';

// Built once: zod compiles a schema on first use, and the sync parses thousands of pages.
const executionPageSchema = pageOf(n8nExecutionSchema);
const workflowPageSchema = pageOf(n8nWorkflowSchema);
const tagPageSchema = pageOf(n8nTagSchema);
const variablePageSchema = pageOf(n8nVariableSchema);

/**
 * A client for n8n's public API v1 and its two run-time doors (webhook, webhook-waiting).
 * One keep-alive pool per instance; every answer is validated and every failure mapped once
 * to a stable code (errors.ts). The API key is sent as a header and appears nowhere else.
 */
export class N8nClient extends N8nHttp {
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

  /** POST /variables (n8n answers 201 with no body). Needs the variables licence feature. */
  async createVariable(variable: { key: string; value: string }): Promise<void> {
    await this.attempt(
      {
        method: 'POST',
        path: '/variables',
        body: variable,
        idempotent: false,
        what: `creating variable ${variable.key}`,
        schema: undefined,
      },
      false,
    );
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
}

/**
 * encodeURIComponent, except that it never throws: a lone surrogate (an id cut in half, or a
 * hostile one) becomes U+FFFD, which n8n answers with a 404 instead of the call failing with
 * INTERNAL ("URI malformed").
 */
const enc = (value: string) =>
  encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );

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
