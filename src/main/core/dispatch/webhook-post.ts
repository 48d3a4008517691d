import { Agent, request } from 'undici';
import type { WebhookPost } from './dispatcher';

/**
 * Webhook calls over one keep-alive agent (a connection pool per origin). No retries here:
 * the queue owns retrying, with backoff and limits.
 */
export function createWebhookPost(): WebhookPost & { close(): Promise<void> } {
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
    const text = await response.body.text();
    const flat: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(response.headers)) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: response.statusCode, headers: flat, body: text };
  };
  return Object.assign(post, { close: () => agent.close() });
}
