import { Pool, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { AppError } from '../../../shared/result';
import { errorFromStatus, errorFromTransport, parseRetryAfter } from './errors';
import { n8nErrorBodySchema } from './schemas';

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

export interface RequestSpec<S extends z.ZodType | undefined> {
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The HTTP plumbing under N8nClient: one keep-alive pool per instance, timeouts, retries for
 * idempotent calls only (429 waits for Retry-After), every failure mapped once to a stable code
 * (errors.ts) and every answer validated. The API key is sent as a header and kept nowhere else.
 */
export class N8nHttp {
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

  /** Lets requests in flight finish, then closes the pool. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Aborts requests in flight (they fail as N8N_UNREACHABLE) and closes the pool: for shutdown. */
  async destroy(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }

  // ---- plumbing -----------------------------------------------------------------------------

  protected async door(path: string, body: unknown, what: string, timeoutMs?: number): Promise<WebhookAnswer> {
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

  /**
   * One request whose status and headers are the answer (no body, no retry, no API key): for
   * readiness probes such as a CORS preflight at a webhook path. Transport failures still map
   * to N8N_UNREACHABLE.
   */
  protected async probe(
    path: string,
    method: 'OPTIONS' | 'HEAD' | 'GET',
    headers: Record<string, string>,
    what: string,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
    try {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: this.prefix + path,
        method,
        headers,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      await response.body.dump();
      return { status: response.statusCode, headers: response.headers };
    } catch (error) {
      throw errorFromTransport(error, this.baseUrl, what);
    }
  }

  protected async send<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
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

  protected async attempt(spec: RequestSpec<z.ZodType | undefined>, passThrough: boolean): Promise<unknown> {
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

/** Checks an answer against its schema: a mismatch is N8N_BAD_RESPONSE naming the first bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw badResponse(what, `unexpected shape at ${issue?.path.join('.') || 'the top'}: ${issue?.message ?? ''}`);
  }
  return checked.data;
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
    `n8n's answer for ${what} was not understood: ${why}. Is the address an n8n instance (1.x or 2.x)?`,
  );
}
