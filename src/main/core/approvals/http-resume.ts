import { Agent, request, type Dispatcher } from 'undici';
import type { ApprovalPorts } from './ports';

export interface HttpResumeOptions {
  /** Per-request timeout (headers and body), ms. */
  timeoutMs?: number;
  /** Connection pool to reuse (keep-alive); one is made if absent. */
  dispatcher?: Dispatcher;
}

/**
 * A plain implementation of the `resumeExecution` port: POSTs the decision as JSON to the
 * execution's resume URL (n8n's `/webhook-waiting/<id>`, which needs no API key) and reports the
 * status. Network errors reject, so the resumer keeps the decision owed and retries it.
 */
export function createHttpResumePort(options: HttpResumeOptions = {}): ApprovalPorts['resumeExecution'] {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  return async ({ resumeUrl, body }) => {
    const url = new URL(resumeUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`Not an HTTP resume URL: ${url.protocol}`);
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode !== 409) {
      await res.body.dump();
      return { status: res.statusCode };
    }
    return { status: 409, stillRunning: RUNNING.test(await headText(res.body)) };
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
