import { Agent, request } from 'undici';
import { WEBHOOK_ANSWER_LIMIT, cutExcerpt, readBounded } from '../http/bounded-body';
import type { WebhookPost } from './dispatcher';

/**
 * Webhook calls over one keep-alive agent (a connection pool per origin). No retries here:
 * the queue owns retrying, with backoff and limits. The answer is read up to `answerLimit`
 * bytes: a longer one (a workflow answering with a file) is cut and the connection closed, and
 * the run keeps the answer's head with a note that it was cut; its status code still decides.
 */
export function createWebhookPost(options: { answerLimit?: number } = {}): WebhookPost & { close(): Promise<void> } {
  const answerLimit = options.answerLimit ?? WEBHOOK_ANSWER_LIMIT;
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  const post: WebhookPost = async ({ url, body, bodyText, headers, timeoutMs, signal }) => {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      body: bodyText ?? JSON.stringify(body ?? null),
      headers: { 'content-type': 'application/json', 'user-agent': 'Flightdeck', ...headers },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal,
    });
    const read = await readBounded(response.body, answerLimit);
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(response.headers)) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return {
      status: response.statusCode,
      headers: flat,
      body: read.cut ? cutExcerpt(read.text, answerLimit) : read.text,
    };
  };
  return Object.assign(post, { close: () => agent.close() });
}
