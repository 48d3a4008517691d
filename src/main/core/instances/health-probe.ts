/**
 * The light probe of instance health: one `GET <base>/webhook/<probe path>`, a path no workflow
 * serves. Facts (observed on n8n 1.123.81 and 2.41.1 while they start): `/healthz` answers ok
 * long before webhooks work; meanwhile n8n answers every path `200 "n8n is starting up. Please
 * wait"`, then `404` HTML ("Cannot POST …") until its webhook routes exist, then (2.x) `503
 * "Database is not ready!"` for a moment. Once webhooks are served, an unknown path gets n8n's own
 * JSON `404 "The requested webhook … is not registered"`: that answer means "up". A GET starts no
 * execution.
 */
import { Agent, request } from 'undici';
import { describeNetworkError, startingUpReason } from '../dispatch/http-outcome';
import { PROBE_ANSWER_LIMIT, readBounded } from '../http/bounded-body';
import type { HealthProbe } from './instance-health';

export const PROBE_PATH = 'flightdeck-health-probe';

/** A probe over its own small keep-alive pool (never the webhook pool, so it is never queued behind runs). */
export function createWebhookProbe(): HealthProbe & { close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  const probe: HealthProbe = async (baseUrl, timeoutMs) => {
    const url = `${baseUrl.replace(/\/+$/, '')}/webhook/${PROBE_PATH}`;
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: agent,
        headers: { 'user-agent': 'Flightdeck health probe' },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Only the answer's first words matter: a proxy's endless page is cut, never held.
      const body = (await readBounded(response.body, PROBE_ANSWER_LIMIT)).text.slice(0, 2_000);
      const contentType = String(response.headers['content-type'] ?? '');
      const starting = startingUpReason(response.statusCode, contentType, body);
      if (starting) return { up: false, reason: starting };
      if (response.statusCode === 502 || response.statusCode === 503 || response.statusCode === 504)
        return { up: false, reason: `${url} answered ${response.statusCode}` };
      return { up: true };
    } catch (error) {
      return { up: false, reason: describeNetworkError(error) };
    }
  };
  return Object.assign(probe, { close: () => agent.close() });
}
