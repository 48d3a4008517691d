import { Agent, request, type Dispatcher } from 'undici';
import type { WaitingLookup } from '../n8n/waiting-lookup';
import type { ApprovalPorts } from './ports';

export interface HttpResumeOptions {
  /** Per-request timeout (headers and body), ms. */
  timeoutMs?: number;
  /**
   * The most one resume call may take from sending to the answer's end (ms): a proxy trickling a
   * byte now and then cannot hold a decision forever. Default 120 000 (n8n may run the rest of the
   * workflow before it answers).
   */
  totalTimeoutMs?: number;
  /** Connection pool to reuse (keep-alive); one is made if absent. */
  dispatcher?: Dispatcher;
  /**
   * How to ask n8n about a waiting execution (its resume token on 2.x, whether it still waits).
   * Without it resume URLs are posted as they are, which only n8n 1.x accepts unsigned.
   */
  lookup?: WaitingLookup;
}

/** The query parameter n8n 2.x reads the resume token from. */
const SIGNATURE = 'signature';

/** The execution id of an n8n `/webhook-waiting/<id>[/suffix]` URL, or null for any other URL. */
export function waitingExecutionId(url: URL): string | null {
  const match = /\/webhook-waiting\/([A-Za-z0-9_-]{1,100})(?:\/|$)/.exec(url.pathname);
  return match?.[1] ?? null;
}

/**
 * The `resumeExecution` port over HTTP: POSTs the decision as JSON to the execution's resume URL
 * (n8n's `/webhook-waiting/<id>`, which needs no API key) and reports the status. Network errors
 * reject, so the resumer keeps the decision owed and retries it.
 *
 * n8n 2.x resumes only with `?signature=<resumeToken>`. A URL registered by the workflow
 * (`$execution.resumeUrl`) is already signed and is posted as it is. A bare one (the console
 * only knows the execution id) is signed first with the token n8n reports for the execution;
 * that lookup also says when the execution is no longer waiting, so nothing is posted then.
 * A 401 (wrong or stale token, or an unsigned URL at a 2.x whose version was unknown) is
 * looked into: the execution closed meanwhile → `closed` (an earlier attempt got through, or
 * someone resumed it in n8n); still waiting with another token → posted once more, signed.
 */
export function createHttpResumePort(options: HttpResumeOptions = {}): ApprovalPorts['resumeExecution'] {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const totalTimeoutMs = options.totalTimeoutMs ?? 120_000;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  const { lookup } = options;

  const post = async (url: URL, body: unknown) => {
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // Rejects like a network error: the decision stays owed and is sent again (a resume that got
      // through meanwhile is answered 409 closed).
      signal: AbortSignal.timeout(totalTimeoutMs),
    });
    if (res.statusCode !== 409) {
      await res.body.dump();
      return { status: res.statusCode };
    }
    return { status: 409, stillRunning: RUNNING.test(await headText(res.body)) };
  };

  return async ({ instanceId, resumeUrl, body }) => {
    const url = new URL(resumeUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`Not an HTTP resume URL: ${url.protocol}`);
    const executionId = waitingExecutionId(url);
    if (lookup && executionId && !url.searchParams.has(SIGNATURE)) {
      const found = await lookup(instanceId, executionId);
      if (found.kind === 'gone') return { status: 404 };
      // Not waiting yet (its wait is not saved): nothing is posted, the decision stays owed.
      if (found.kind === 'running') return { status: 409, stillRunning: true };
      if (found.kind === 'closed') return { status: 409, closed: true };
      if (found.kind === 'waiting' && found.resumeToken) url.searchParams.set(SIGNATURE, found.resumeToken);
    }
    const answer = await post(url, body);
    if (answer.status !== 401 || !lookup || !executionId) return answer;
    const found = await lookup(instanceId, executionId, { always: true });
    if (found.kind === 'gone') return { status: 404 };
    if (found.kind === 'running') return { status: answer.status, stillRunning: true };
    if (found.kind === 'closed') return { status: answer.status, closed: true };
    if (found.kind === 'waiting' && found.resumeToken && found.resumeToken !== url.searchParams.get(SIGNATURE)) {
      url.searchParams.set(SIGNATURE, found.resumeToken);
      return post(url, body);
    }
    return answer;
  };
}

/**
 * n8n's 409 for an execution that is not waiting yet (or again): "The execution "8" is running
 * already." (1.x and 2.x); its other 409s say the execution has finished.
 */
const RUNNING = /is running already/;

/** The first few KB of an answer (n8n's error bodies are short; leaving the loop drops the rest). */
async function headText(body: Dispatcher.ResponseData['body'], limit = 4_096): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit);
}
