import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../core/create-core';
import { DataDirBusyError } from '../core/data-dir';
import { planForBusyDataDir } from '../core/data-dir-busy';
import { createLogger } from '../core/logger';
import { ingestPortFromEnv } from '../core/paths';
import { version } from '../../../package.json';
import { parseHostCli } from './cli-options';
import { startHost } from './host';

/** Start-up refusals about the folder itself: nothing useful can run, so the host does not. */
const FOLDER_REFUSALS = new Set(['DATA_DIR_NOT_PRIVATE', 'DATA_DIR_UNUSABLE']);

/**
 * `npm run serve`: the whole console without Electron, for servers, shared boxes and the
 * browser tests. Options come from flags or FLIGHTDECK_* variables (cli-options.ts).
 */
async function main(): Promise<void> {
  const env = process.env;
  const parsed = parseHostCli(process.argv.slice(2), env);
  if (!parsed.ok) {
    console.error(parsed.message);
    process.exit(2);
  }
  const { options, warnings } = parsed;
  for (const line of warnings) console.error(line);
  const logger = createLogger({ minLevel: env.FLIGHTDECK_LOG_LEVEL === 'debug' ? 'debug' : 'info' });

  let core: Core;
  try {
    core = createCore({
      dataDir: options.dataDir,
      logger,
      version,
      ingestPort: ingestPortFromEnv(),
      shell: 'headless',
      auth: { sessionTtlMs: options.sessionHours * 3_600_000 },
    });
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    const plan = planForBusyDataDir(error, options.openIfRunning ? 'start' : 'serve');
    (plan.exitCode === 0 ? console.log : console.error)(`${plan.message}\n(data: ${options.dataDir})`);
    process.exit(plan.exitCode);
  }

  const status = core.status();
  if (status.startupError && FOLDER_REFUSALS.has(status.startupError.code)) {
    console.error(`Flightdeck cannot use its data folder: ${status.startupError.message}`);
    await core.close();
    process.exit(1);
  }

  // /metrics is opt-in; it answers the host's token unless a scrape-only token is given.
  const host = await startHost({
    core,
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    host: options.host,
    port: options.port,
    ...(options.token ? { token: options.token } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    extraOrigins: options.extraOrigins,
    logger,
    ...(options.metrics.on ? { metrics: options.metrics.token ? { token: options.metrics.token } : {} } : {}),
  });
  const url = options.tls ? host.url.replace(/^http:/, 'https:') : host.url;
  core.publishAddress({ url, token: host.token });

  // Before the URL is printed: whoever reads it may stop the host at once, and a stop must
  // close the store and let go of the data folder cleanly.
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

  if (status.state === 'failed') console.error(`Flightdeck could not open its store: ${status.startupError?.message}`);
  console.log(`Flightdeck console (data: ${options.dataDir})`);
  if (core.auth?.teamMode()) {
    // Team mode: the page asks each person to sign in; the shared token opens nothing.
    if (options.token) console.error('FLIGHTDECK_TOKEN is not used in team mode: everyone signs in with an account.');
    console.log(`Team mode: sign in with your account (users: flightdeck users list --data-dir ${options.dataDir})`);
    console.log(`Open ${url}`);
  } else console.log(`Open ${url}#token=${host.token}`);
  if (options.metrics.on) console.log(`Prometheus metrics at ${url}metrics (Authorization: Bearer <token>)`);
}

main().catch((error: unknown) => {
  console.error(`Flightdeck host failed to start: ${(error as Error).message}`);
  process.exit(1);
});
