import type { AppStatus, CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import { systemClock, type Clock } from './clock';
import { migrations as shippedMigrations } from './db/migrations';
import { StartupError, type Migration } from './db/migrate';
import { openStore, type Store } from './db/store';
import { wireModules, type WiringOptions } from './wire-modules';
import { EventBus, type AnyEventListener } from './events';
import type { CallContext } from './handlers';
import { checkReply, invokeHandler } from './invoke';
import { silentLogger, type Logger } from './logger';

export interface CoreOptions extends WiringOptions {
  /** Folder holding the SQLite store and key files; created if missing. */
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** For tests of the migration ledger; defaults to the shipped migrations. */
  migrations?: Migration[];
  /** better-sqlite3 binary for a non-Node ABI (the Electron build). */
  nativeBinding?: string;
  /**
   * Parse every reply against its channel's declared output and answer INTERNAL on a mismatch
   * (see `checkReply`). On in tests; default: the environment variable FLIGHTDECK_CHECK_OUTPUTS=1.
   */
  checkOutputs?: boolean;
}

export interface Core {
  /** Validates and runs one call; never throws. Used by both transports. */
  invoke(channel: unknown, input: unknown, ctx?: CallContext): Promise<Result<unknown>>;
  /** Typed convenience over `invoke` for in-process callers and tests. */
  call<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>>;
  /** Every event, after the write that caused it has committed. */
  subscribe(listener: AnyEventListener): () => void;
  status(): AppStatus;
  /** Waits for calls in flight, then closes the store. Later calls answer UNAVAILABLE. */
  close(): Promise<void>;
}

/**
 * Builds the core. It never throws on a bad database: the store's refusal becomes a `failed`
 * status that the UI shows, and every call except `app:status` answers STARTUP_FAILED.
 */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const bus = new EventBus();
  const now = () => clock.now();

  let store: Store | undefined;
  let startupError: AppStatus['startupError'] = null;
  try {
    store = openStore({
      dataDir: options.dataDir,
      bus,
      migrations: options.migrations ?? shippedMigrations,
      now,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    startupError = { code: error.reason, message: error.message };
    logger.error('The store refused to open', { reason: error.reason, message: error.message });
  }

  const status = (): AppStatus => ({
    state: store ? 'ready' : 'failed',
    version: options.version ?? '0.0.0',
    dataDir: options.dataDir,
    schemaVersion: store?.schemaVersion ?? 0,
    startupError,
  });

  const built = store ? wireModules({ store, clock, logger, dataDir: options.dataDir }, options, status) : undefined;
  const handlers = built?.handlers;
  built?.modules.forEach((m) => m.start?.());

  const checkOutputs = options.checkOutputs ?? process.env.FLIGHTDECK_CHECK_OUTPUTS === '1';
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function invoke(channel: unknown, input: unknown, ctx: CallContext = { transport: 'direct' }) {
    if (closed) return fail('UNAVAILABLE', 'Flightdeck is shutting down; try again after it restarts.', true);
    if (!handlers) {
      if (channel === 'app:status') return { ok: true as const, data: status() };
      return fail('STARTUP_FAILED', startupError?.message ?? 'Flightdeck failed to start.');
    }
    const handled = invokeHandler(handlers, channel, input, ctx, logger);
    const pending = checkOutputs ? handled.then((reply) => checkReply(channel, reply, logger)) : handled;
    inFlight.add(pending);
    try {
      return await pending;
    } finally {
      inFlight.delete(pending);
    }
  }

  return {
    invoke,
    call: (channel, input) => invoke(channel, input) as never,
    subscribe: (listener) => bus.subscribe(listener),
    status,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      for (const m of [...(built?.modules ?? [])].reverse()) await m.stop?.();
      store?.close();
    },
  };
}
