import { z } from 'zod';
import { AppError } from '../../../shared/result';
import { N8nHttp, validate, type WebhookAnswer } from './http';
import { lineOf, type N8nLine } from './n8n-line';
import {
  healthSchema,
  auditReportSchema,
  n8nCommunityPackageSchema,
  n8nCredentialSchema,
  n8nExecutionSchema,
  n8nTagSchema,
  n8nVariableSchema,
  n8nWorkflowSchema,
  pageOf,
  restSettingsSchema,
  type N8nCredential,
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
const communityPackagesSchema = z.array(n8nCommunityPackageSchema);
const credentialPageSchema = pageOf(n8nCredentialSchema);

/** The query parameter n8n 2.x reads the resume token from on /webhook-waiting/<id>. */
export const WAITING_SIGNATURE_PARAM = 'signature';

/** An Origin header for readiness probes: n8n answers CORS preflights only when one is sent. */
const PROBE_ORIGIN = 'http://flightdeck.invalid';

/**
 * A client for n8n's public API v1 and its two run-time doors (webhook, webhook-waiting).
 * One keep-alive pool per instance; every answer is validated and every failure mapped once
 * to a stable code (errors.ts). The API key is sent as a header and appears nowhere else.
 */
export class N8nClient extends N8nHttp {
  #version: string | null = null;
  #versionAsked: Promise<string | null> | null = null;

  // ---- health and version -------------------------------------------------------------------

  /** Tells the client the version read elsewhere (the sync stores it), so it need not ask. */
  rememberVersion(version: string | null | undefined): void {
    if (version && lineOf(version) !== null) this.#version = version;
  }

  /**
   * The release line, read once per client (GET /rest/settings or the editor page). Unknown
   * (hidden by a proxy) counts as 1: the 1.x verbs (/activate, /deactivate) still work on 2.x,
   * deprecated, so nothing breaks while the version is unknown.
   */
  async line(): Promise<N8nLine> {
    if (!this.#version) {
      this.#versionAsked ??= this.version().finally(() => (this.#versionAsked = null));
      this.rememberVersion(await this.#versionAsked);
    }
    return lineOf(this.#version) ?? 1;
  }

  /** The version remembered or read by `line()`; null until known. */
  get knownVersion(): string | null {
    return this.#version;
  }

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

  /**
   * PUT /workflows/{id}. On 2.x a live workflow is republished with the save unless
   * `publishIfActive: false` (then the save stays a draft); 1.x knows no such parameter (it
   * refuses unknown ones), so it is only sent to 2.x.
   */
  async updateWorkflow(
    id: string,
    body: Record<string, unknown>,
    options: { publishIfActive?: boolean } = {},
  ): Promise<N8nWorkflow> {
    const keepDraft = options.publishIfActive === false && (await this.line()) === 2;
    return this.send({
      method: 'PUT',
      path: `/workflows/${enc(id)}`,
      ...(keepDraft ? { query: { publishIfActive: false } } : {}),
      body,
      idempotent: true,
      what: `updating workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  /**
   * Deletes a workflow. n8n 2.x refuses to delete a published workflow (409): with
   * `unpublishFirst` it is unpublished first (its webhooks stop), else the CONFLICT says so.
   */
  async deleteWorkflow(id: string, options: { unpublishFirst?: boolean } = {}): Promise<N8nWorkflow> {
    const remove = () =>
      this.send({
        method: 'DELETE',
        path: `/workflows/${enc(id)}`,
        idempotent: false,
        what: `deleting workflow ${id}`,
        schema: n8nWorkflowSchema,
      });
    try {
      return await remove();
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT' || (await this.line()) !== 2) throw error;
      if (!options.unpublishFirst)
        throw new AppError(
          'CONFLICT',
          `n8n 2.x does not delete published workflows: unpublish workflow ${id} first (its webhooks stop), then delete it.`,
          { details: { published: true } },
        );
    }
    await this.unpublishWorkflow(id);
    // n8n may still be taking the webhooks down ("still being unpublished"): a few short tries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await remove();
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'CONFLICT' || attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
  }

  /**
   * Makes the workflow live or stops it, with the verbs of the instance's line: publish and
   * unpublish on 2.x (the current draft becomes the published version), activate and deactivate
   * on 1.x. Answers n8n's workflow after the change.
   */
  async setWorkflowLive(id: string, live: boolean): Promise<N8nWorkflow> {
    if ((await this.line()) === 2) return live ? this.publishWorkflow(id) : this.unpublishWorkflow(id);
    return live ? this.activateWorkflow(id) : this.deactivateWorkflow(id);
  }

  /** 2.x: publishes the draft (or the given saved version). Publishing twice is harmless: retried like a read. */
  publishWorkflow(id: string, options: { versionId?: string } = {}): Promise<N8nWorkflow> {
    return this.send({
      method: 'POST',
      path: `/workflows/${enc(id)}/publish`,
      body: options.versionId ? { versionId: options.versionId } : {},
      idempotent: true,
      what: `publishing workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  /** 2.x: takes the published version down; the draft stays. */
  unpublishWorkflow(id: string): Promise<N8nWorkflow> {
    return this.send({
      method: 'POST',
      path: `/workflows/${enc(id)}/unpublish`,
      idempotent: true,
      what: `unpublishing workflow ${id}`,
      schema: n8nWorkflowSchema,
    });
  }

  /** 1.x verbs (deprecated aliases on 2.x). Setting a state twice is harmless: retried like reads. */
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

  /**
   * Node types the instance adds through community packages (GET /community-packages, 2.x
   * public API); null where n8n does not tell an API key (1.x: 404, or a key without the scope).
   */
  async communityNodeTypes(): Promise<string[] | null> {
    try {
      const packages = await this.send({
        method: 'GET',
        path: '/community-packages',
        idempotent: true,
        what: 'the installed community packages',
        schema: communityPackagesSchema,
      });
      return packages.flatMap((p) => (p.installedNodes ?? []).map((n) => n.type));
    } catch (error) {
      if (error instanceof AppError && ['N8N_NOT_FOUND', 'N8N_FORBIDDEN', 'VALIDATION'].includes(error.code))
        return null;
      throw error;
    }
  }

  // ---- credentials (names and types only: n8n never answers their secrets here) -------------

  /** 2.x: GET /credentials, one cursor page (1.123 has no such endpoint: 405). */
  listCredentials(query: { cursor?: string; limit?: number } = {}): Promise<Page<N8nCredential>> {
    return this.send({
      method: 'GET',
      path: '/credentials',
      query: { limit: query.limit ?? 250, ...query },
      idempotent: true,
      what: 'the credentials list',
      schema: credentialPageSchema,
    });
  }

  /**
   * Every credential by id and name (no type), from n8n's security audit (POST /audit, category
   * credentials): the only list of credentials 1.x gives an API key. Its sections name every
   * credential not used by a workflow, not used by an active one, or not run lately; together with
   * the credentials the workflows use, that is all of them.
   */
  async auditCredentials(): Promise<{ id: string; name: string }[]> {
    const report = await this.send({
      method: 'POST',
      path: '/audit',
      body: { additionalOptions: { categories: ['credentials'] } },
      idempotent: true,
      what: 'the security audit of credentials',
      schema: auditReportSchema,
    });
    const found = new Map<string, string>();
    if (!Array.isArray(report)) {
      for (const risk of Object.values(report))
        for (const section of risk.sections)
          for (const location of section.location)
            if (location.kind === 'credential' && location.id && location.name) found.set(location.id, location.name);
    }
    return [...found].map(([id, name]) => ({ id, name }));
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
    // A server that hands back a cursor it gave before would be paged forever (a first sync has
    // no stopAtId to end it): that is a broken answer, not more executions.
    const cursors = new Set<string>();
    for (;;) {
      const raw = await pending;
      const { nextCursor, minId } = peekPage(raw);
      const last = !nextCursor || (stopAtId !== undefined && minId <= stopAtId);
      if (!last && nextCursor) {
        if (cursors.has(nextCursor))
          throw new AppError(
            'N8N_BAD_RESPONSE',
            `n8n answered the executions list with a page cursor it had already given (after ${cursors.size + 1} pages), ` +
              'so paging would never end; stopped. Check the n8n version, or a proxy in front of it that caches answers.',
          );
        cursors.add(nextCursor);
        pending = fetchRaw(nextCursor);
      }
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

  /**
   * What resuming a waiting execution needs to know from n8n: its status and, on 2.x, the token
   * n8n expects as `?signature=` on /webhook-waiting/<id> (`data.resumeToken`; 1.x has none).
   */
  async waitingState(executionId: string): Promise<{ status: string | null; resumeToken: string | null }> {
    const execution = await this.getExecution(executionId, { includeData: true });
    const token = (execution.data as { resumeToken?: unknown } | null | undefined)?.resumeToken;
    return { status: execution.status ?? null, resumeToken: typeof token === 'string' && token ? token : null };
  }

  // ---- run-time doors -----------------------------------------------------------------------

  /** POST /webhook/<path>: starts the workflow behind an active Webhook node. Never retried. */
  postWebhook(path: string, body: unknown, options: { timeoutMs?: number } = {}): Promise<WebhookAnswer> {
    return this.door(`/webhook/${path.replace(/^\/+/, '')}`, body, 'the webhook', options.timeoutMs);
  }

  /**
   * Whether n8n serves /webhook/<path> for `method` now, without starting an execution: a CORS
   * preflight (OPTIONS with Origin and Access-Control-Request-Method) makes n8n look the path up
   * and list its methods in Access-Control-Allow-Methods. A bare OPTIONS is no probe: n8n
   * answers it 204 for any path. 2.x registers webhooks a moment after /publish returns.
   */
  async webhookServed(path: string, method = 'POST'): Promise<boolean> {
    const answer = await this.probe(
      `/webhook/${path.replace(/^\/+/, '')}`,
      'OPTIONS',
      { origin: PROBE_ORIGIN, 'access-control-request-method': method },
      'the webhook',
    );
    const allowed = answer.headers['access-control-allow-methods'];
    const methods = (Array.isArray(allowed) ? allowed.join(',') : (allowed ?? '')).split(',').map((m) => m.trim());
    return answer.status >= 200 && answer.status < 300 && methods.includes(method);
  }

  /**
   * POST /webhook-waiting/<executionId>: resumes an execution parked on a Wait node. On 2.x
   * pass the execution's resume token as `signature` (see `waitingState`), or n8n answers 401.
   */
  resumeWaiting(
    executionId: string,
    body: unknown,
    options: { timeoutMs?: number; signature?: string } = {},
  ): Promise<WebhookAnswer> {
    const query = options.signature ? `?${WAITING_SIGNATURE_PARAM}=${enc(options.signature)}` : '';
    return this.door(
      `/webhook-waiting/${enc(executionId)}${query}`,
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

/**
 * The cursor and the lowest numeric id of a raw (not yet validated) page, to plan the next
 * request. Exported for its test only.
 */
export function peekPage(raw: unknown): { nextCursor: string | null; minId: number } {
  const page = raw as { nextCursor?: unknown; data?: unknown } | null;
  let minId = Infinity;
  // A loop, not Math.min(...ids): spreading a huge page overflows the stack (RangeError).
  if (Array.isArray(page?.data)) {
    for (const e of page.data as unknown[]) {
      const id = Number((e as { id?: unknown } | null)?.id);
      if (Number.isFinite(id) && id < minId) minId = id;
    }
  }
  return {
    nextCursor: typeof page?.nextCursor === 'string' && page.nextCursor ? page.nextCursor : null,
    minId,
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
