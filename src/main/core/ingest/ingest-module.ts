import type { CoreContext } from '../context';
import { createCommitQueue } from '../db/commit-queue';
import type { FeatureModule } from '../handlers';
import { limitsFromEnv, type InputLimits } from '../limits';
import type { Emit } from '../ports';
import { startIngestServer, type IngestServerOptions } from './http-ingest';
import { removeIngestInfo, writeIngestInfo } from './ingest-info';
import { ingestSecretPath, loadOrCreateIngestSecret, MalformedIngestSecretError } from './ingest-secret';
import { sqliteReplayLedger } from './replay-ledger';

export interface IngestOptions {
  emit: Emit;
  hasMappings(event: string): boolean;
  /** POST /approvals: an n8n execution waiting on a Wait node registers with the inbox. */
  registerWaiting?: IngestServerOptions['registerWaiting'];
  /** Loopback port for signed events; 0 picks a free one; null turns the endpoint off. */
  port: number | null;
  host?: string;
  /** Payload size and depth; default from the environment (FLIGHTDECK_MAX_PAYLOAD_BYTES). */
  limits?: InputLimits;
}

/** The three doors for events: the UI (ingest:emit), the CLI and signed HTTP both reach `emit`. */
export function createIngestModule(ctx: CoreContext, options: IngestOptions): FeatureModule<'ingest'> {
  let url: string | null = null;
  let problem: string | null = options.port === null ? 'The ingest endpoint is turned off.' : null;
  let close: (() => Promise<void>) | undefined;
  let starting: Promise<void> | undefined;
  let wroteInfo = false;
  // One group commit for both doors: events arriving together share a transaction, each is
  // answered after its commit (the CLI sends through the HTTP door).
  const commits = createCommitQueue(ctx.store);

  return {
    handlers: {
      'ingest:info': async () => {
        await starting;
        return { url, secretFile: ingestSecretPath(ctx.dataDir), problem };
      },
      'ingest:emit': ({ event, payload, idempotencyKey }) => {
        const actor = ctx.operator();
        return commits.run(() =>
          options.emit({ event, payload, source: 'ui', actor, ...(idempotencyKey ? { idempotencyKey } : {}) }),
        );
      },
    },
    start() {
      if (options.port === null) return;
      const host = options.host ?? '127.0.0.1';
      let secret: string;
      try {
        secret = loadOrCreateIngestSecret(ctx.dataDir, ctx.logger);
      } catch (error) {
        // No door without a real secret; the rest of the console starts (and shows this problem).
        problem =
          error instanceof MalformedIngestSecretError
            ? error.message
            : `The ingest endpoint did not start: cannot read or create the ingest secret (${(error as Error).message}).`;
        ctx.logger.warn('Ingest endpoint not started', { problem });
        return;
      }
      starting = startIngestServer({
        host,
        port: options.port,
        secret,
        emit: options.emit,
        commit: (work) => commits.run(work),
        hasMappings: options.hasMappings,
        replay: sqliteReplayLedger(ctx.store, () => ctx.clock.now()),
        limits: options.limits ?? limitsFromEnv(),
        ...(options.registerWaiting ? { registerWaiting: options.registerWaiting } : {}),
        clock: ctx.clock,
        logger: ctx.logger,
      })
        .then((server) => {
          close = server.close;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
          // For the CLI: where to knock, and which process to expect (a dead pid: a stale file).
          try {
            writeIngestInfo(ctx.dataDir, { url, pid: process.pid, startedAtMs: Math.round(performance.timeOrigin) });
            wroteInfo = true;
          } catch (error) {
            ctx.logger.warn('Could not write ingest.json: the CLI will not find this console', { error });
          }
        })
        .catch((error: NodeJS.ErrnoException) => {
          problem =
            error.code === 'EADDRINUSE'
              ? `Port ${options.port} is in use: set FLIGHTDECK_INGEST_PORT to another port.`
              : `The ingest endpoint did not start: ${error.message}`;
          ctx.logger.warn('Ingest endpoint not started', { problem });
        });
    },
    async stop() {
      await starting;
      await close?.();
      // A clean stop leaves no pointer to a port someone else may take next.
      if (wroteInfo) {
        try {
          removeIngestInfo(ctx.dataDir, process.pid);
        } catch (error) {
          ctx.logger.warn('Could not remove ingest.json', { error });
        }
      }
    },
  };
}
