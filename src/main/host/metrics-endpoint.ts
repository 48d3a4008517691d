import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/logger';

/** The Prometheus text exposition format served at /metrics. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics for Prometheus scrapers: opt-in (the host only routes here when enabled) and
 * protected by a Bearer token, so the numbers of a shared box are not open to every local user.
 */
export async function serveMetrics(
  core: Core,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const auth = req.headers.authorization ?? '';
  const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
  if (!given || !sameSecret(given, token)) {
    res
      .writeHead(401, { 'WWW-Authenticate': 'Bearer realm="flightdeck-metrics"', 'Content-Type': 'text/plain' })
      .end('Missing or wrong token: send Authorization: Bearer <token>.\n');
    return;
  }
  const result = await core.call('metrics:prometheus', {});
  if (!result.ok) {
    logger.warn('Could not render /metrics', { code: result.error.code });
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end(`${result.error.code}: ${result.error.message}\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : result.data.text);
}
