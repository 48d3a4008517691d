import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from '../core/create-core';
import { createLogger } from '../core/logger';
import { defaultDataDir, ingestPortFromEnv } from '../core/paths';
import { version } from '../../../package.json';
import { startHost } from './host';

/**
 * `npm run serve`: the whole console without Electron, for servers, shared boxes and the
 * browser tests. Options come from flags or FLIGHTDECK_* variables.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      metrics: { type: 'boolean' },
    },
  });
  const env = process.env;
  const logger = createLogger({ minLevel: env.FLIGHTDECK_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const port = Number(values.port ?? env.FLIGHTDECK_PORT ?? 4680);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid port "${values.port ?? env.FLIGHTDECK_PORT}": use a number from 0 to 65535.`);
    process.exit(2);
  }

  const core = createCore({ dataDir, logger, version, ingestPort: ingestPortFromEnv() });
  // /metrics is opt-in; it answers the host's token unless a scrape-only token is given.
  const metricsOn = values.metrics === true || env.FLIGHTDECK_METRICS === '1';
  const host = await startHost({
    core,
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    host: values.host ?? env.FLIGHTDECK_HOST ?? '127.0.0.1',
    port,
    ...(env.FLIGHTDECK_TOKEN ? { token: env.FLIGHTDECK_TOKEN } : {}),
    extraOrigins: (env.FLIGHTDECK_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    logger,
    ...(metricsOn ? { metrics: env.FLIGHTDECK_METRICS_TOKEN ? { token: env.FLIGHTDECK_METRICS_TOKEN } : {} } : {}),
  });

  const status = core.status();
  if (status.state === 'failed') console.error(`Flightdeck could not open its store: ${status.startupError?.message}`);
  console.log(`Flightdeck console (data: ${dataDir})`);
  console.log(`Open ${host.url}#token=${host.token}`);
  if (metricsOn) console.log(`Prometheus metrics at ${host.url}metrics (Authorization: Bearer <token>)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`Flightdeck host failed to start: ${(error as Error).message}`);
  process.exit(1);
});
