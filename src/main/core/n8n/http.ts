import { Pool, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { AppError } from '../../../shared/result';
import {
  N8N_API_ANSWER_LIMIT,
  PROBE_ANSWER_LIMIT,
  WEBHOOK_ANSWER_LIMIT,
  cutExcerpt,
  declaredLength,
  readBounded,
  sizeInWords,
} from '../http/bounded-body';
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
  /**
   * Per attempt: the most one request may take from sending to the answer's last byte (ms), so a
   * server trickling a byte now and then cannot hold a sync pass or a screen forever. A call that
   * asks for a longer wait of its own (retryExecution, a webhook door) gets at least that. Default 60 000.
   */
  totalTimeoutMs?: number;
  /** The largest API answer read (bytes); a longer one is refused as N8N_BAD_RESPONSE. Default 64 MiB. */
  answerLimitBytes?: number;
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
  /** Overrides the client's total time limit for this call (ms). */
  totalTimeoutMs?: number;
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
  private readonly totalTimeoutMs: number;
  private readonly answerLimitBytes: number;
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
    this.totalTimeoutMs = options.totalTimeoutMs ?? 60_000;
    this.answerLimitBytes = options.answerLimitBytes ?? N8N_API_ANSWER_LIMIT;
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
    const total = this.totalTimeoutMs;
    const signal = AbortSignal.timeout(total);
    try {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: this.prefix + path,
        method,
        headers,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal,
      });
      await response.body.dump({ limit: PROBE_ANSWER_LIMIT });
      return { status: response.statusCode, headers: response.headers };
    } catch (error) {
      if (signal.aborted) throw this.tooSlow(what, total);
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

  /** The total time limit ran out: retryable (idempotent calls try again under the usual rules). */
  private tooSlow(what: string, totalMs: number): AppError {
    return new AppError(
      'N8N_UNREACHABLE',
      `n8n did not finish answering ${what} within ${formatSeconds(totalMs)} (the time limit of one call): n8n may be overloaded, the network slow, or a proxy holding the connection open. Try again later; if it keeps happening, check n8n's load and what sits between it and Flightdeck.`,
      { retryable: true, details: { cause: 'TOTAL_TIMEOUT', timeoutMs: totalMs } },
    );
  }

  private tooLarge(what: string, limit: number): AppError {
    return new AppError(
      'N8N_BAD_RESPONSE',
      `n8n's answer for ${what} is larger than ${sizeInWords(limit)}, the most Flightdeck reads in one answer, and was refused. Is the address n8n itself, not a proxy serving a file? If it is, its executions carry unusually large data.`,
      { details: { limitBytes: limit } },
    );
  }

  protected async attempt(spec: RequestSpec<z.ZodType | undefined>, passThrough: boolean): Promise<unknown> {
    const path = this.prefix + (spec.raw ? '' : '/api/v1') + spec.path + queryString(spec.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!spec.anonymous) headers['x-n8n-api-key'] = this.#apiKey;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = spec.timeoutMs ?? this.timeoutMs;
    // A call that asks for a long wait (a retry runs the workflow: 120 s) gets at least that.
    const total = spec.totalTimeoutMs ?? Math.max(this.totalTimeoutMs, spec.timeoutMs ?? 0);
    const signal = AbortSignal.timeout(total);
    // A webhook door's answer is the workflow's own (cut, kept as an excerpt); an API answer is data.
    const limit = passThrough ? WEBHOOK_ANSWER_LIMIT : this.answerLimitBytes;
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
        signal,
      });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const declared = declaredLength(response.headers);
      if (ok && !passThrough && declared !== undefined && declared > limit) {
        // Closes the connection unread; the abort it reports is expected, not an error to raise.
        response.body.on('error', () => undefined).destroy();
        throw this.tooLarge(spec.what, limit);
      }
      const read = await readBounded(response.body, limit);
      // Error answers and doors are cut (their status says what happened); data is never cut.
      if (read.cut && ok && !passThrough) throw this.tooLarge(spec.what, limit);
      text = read.cut ? cutExcerpt(read.text, limit) : read.text;
    } catch (error) {
      if (signal.aborted && !(error instanceof AppError)) throw this.tooSlow(spec.what, total);
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

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
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
