import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/logger';
import { bearerToken, sameSecret } from './secrets';

/** The Prometheus text exposition format served at /metrics. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * GET /metrics for Prometheus scrapers: opt-in (the host only registers it when enabled) and
 * protected by a Bearer token, so the numbers of a shared box are not open to every local user.
 * Other methods reach the host's not-found handler, which answers 405.
 */
export function registerMetrics(
  app: FastifyInstance,
  core: Core,
  token: string | ((given: string) => boolean),
  logger: Logger,
): void {
  const allows = typeof token === 'string' ? (given: string) => sameSecret(given, token) : token;
  app.get('/metrics', async (request, reply) => {
    const given = bearerToken(request.headers.authorization);
    if (!given || !allows(given)) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer realm="flightdeck-metrics"')
        .type('text/plain; charset=utf-8')
        .send('Missing or wrong token: send Authorization: Bearer <token>.\n');
    }
    const result = await core.call('metrics:prometheus', {});
    if (!result.ok) {
      logger.warn('Could not render /metrics', { code: result.error.code });
      return reply.code(503).type('text/plain; charset=utf-8').send(`${result.error.code}: ${result.error.message}\n`);
    }
    return reply.code(200).header('Cache-Control', 'no-store').type(PROMETHEUS_CONTENT_TYPE).send(result.data.text);
  });
}
