/**
 * The one place a webhook request is put together. The mapping editor's preview, the request kept
 * on every run (its detail view) and the dispatcher's actual call all come from here, so what an
 * operator reads is byte for byte what n8n receives (tests/dispatch: webhook-request.test.ts).
 */

/** What Flightdeck says it is to n8n (the Webhook node sees it in `headers['user-agent']`). */
export const WEBHOOK_USER_AGENT = 'Flightdeck';

/**
 * The execution-id header's value in a preview made before any run exists. A real run sends its
 * local run id (the number in `FD-29`), which a workflow can use to deduplicate.
 */
export const PREVIEW_EXECUTION_ID = '<run id, e.g. 29 for FD-29>';

export interface WebhookRequestInput {
  /** The instance's base URL (`https://n8n.example.com`, maybe with a path prefix). */
  baseUrl: string;
  /** The Webhook node's path: the request goes to `<base>/webhook/<path>`. */
  webhookPath: string;
  event: string;
  /** The local run id, or null for a preview before the run exists. */
  executionId: number | null;
  /** The body after the mapping's transform. */
  body: unknown;
}

export interface WebhookRequest {
  method: 'POST';
  url: string;
  /** Every header Flightdeck sets (the HTTP client adds only Host and Content-Length). */
  headers: Record<string, string>;
  /** The body as a value (for reading). */
  body: unknown;
  /** The body exactly as sent: the bytes n8n receives. */
  bodyText: string;
}

export function buildWebhookRequest(input: WebhookRequestInput): WebhookRequest {
  const body = input.body ?? null;
  return {
    method: 'POST',
    url: `${input.baseUrl.replace(/\/+$/, '')}/webhook/${input.webhookPath}`,
    headers: {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'x-flightdeck-event': input.event,
      'x-flightdeck-execution-id': input.executionId === null ? PREVIEW_EXECUTION_ID : String(input.executionId),
    },
    body,
    bodyText: JSON.stringify(body),
  };
}
