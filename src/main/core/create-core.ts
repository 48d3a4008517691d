import type { AppStatus, CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import { createActorScope } from './auth/actor';
import type { AuthService } from './auth/auth-service';
import { systemClock, type Clock } from './clock';
import { claimDataDir, DataDirUnusableError, type DataDirClaim, type ShellKind } from './data-dir';
import { describeRefusal, makeDataDirPrivate } from './data-dir-modes';
import { migrations as shippedMigrations } from './db/migrations';
import { StartupError, type Migration } from './db/migrate';
import { openStore, type Store } from './db/store';
import { wireModules, type WiringOptions } from './wire-modules';
import { EventBus, type AnyEventListener } from './events';
import type { CallContext } from './handlers';
import { checkReply, invokeHandler } from './invoke';
import { limitsFromEnv, type InputLimits } from './limits';
import { silentLogger, type Logger } from './logger';

export interface CoreOptions extends WiringOptions {
  /** Folder holding the SQLite store and key files; created if missing, owned by this core until close. */
  dataDir: string;
  /** Which shell runs this core, recorded beside the data-folder lock for a second process to read. */
  shell?: ShellKind;
  clock?: Clock;
  logger?: Logger;
  /** For tests of the migration ledger; defaults to the shipped migrations. */
  migrations?: Migration[];
  /** better-sqlite3 binary for a non-Node ABI (the Electron build). */
  nativeBinding?: string;
  /** Size and depth limits of every call's argument; default from FLIGHTDECK_MAX_PAYLOAD_BYTES. */
  limits?: InputLimits;
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
  /** Records where this console can be opened, so a second process on the folder can point to it. */
  publishAddress(address: { url: string; token: string }): void;
  /** Every event, after the write that caused it has committed. */
  subscribe(listener: AnyEventListener): () => void;
  status(): AppStatus;
  /** The limits `invoke` applies; transports size their frames from them. */
  readonly limits: InputLimits;
  /** Accounts and sign-ins (team mode); absent when the store failed to open. */
  readonly auth?: AuthService;
  /** Waits for calls in flight, then closes the store. Later calls answer UNAVAILABLE. */
  close(): Promise<void>;
}

/**
 * Builds the core. It first takes the data folder for this process: when another process has it,
 * it throws DataDirBusyError (naming that process) and touches nothing. It never throws on a bad
 * database or a folder others can read: the refusal becomes a `failed` status that the UI shows,
 * and every call except `app:status` answers STARTUP_FAILED.
 */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const bus = new EventBus();
  const now = () => clock.now();
  const limits = options.limits ?? limitsFromEnv();

  const { claim, store, startupError } = openOwnedStore(options, bus, now, logger);

  const status = (): AppStatus => ({
    state: store ? 'ready' : 'failed',
    version: options.version ?? '0.0.0',
    dataDir: options.dataDir,
    schemaVersion: store?.schemaVersion ?? 0,
    startupError,
  });

  const actor = createActorScope();
  let built: ReturnType<typeof wireModules> | undefined;
  try {
    built = store ? wireModules({ store, clock, logger, dataDir: options.dataDir, actor }, options, status) : undefined;
    built?.modules.forEach((m) => m.start?.());
    for (const m of built?.modules ?? []) if (m.follow) bus.subscribe(m.follow);
  } catch (error) {
    // A bug, not a bad folder: let go of the folder so the process can exit or retry cleanly.
    store?.close();
    claim?.release();
    throw error;
  }
  const handlers = built?.handlers;

  const checkOutputs = options.checkOutputs ?? process.env.FLIGHTDECK_CHECK_OUTPUTS === '1';
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function invoke(channel: unknown, input: unknown, ctx: CallContext = { transport: 'direct' }) {
    if (closed) return fail('UNAVAILABLE', 'Flightdeck is shutting down; try again after it restarts.', true);
    if (!handlers) {
      if (channel === 'app:status') return { ok: true as const, data: status() };
      return fail('STARTUP_FAILED', startupError?.message ?? 'Flightdeck failed to start.');
    }
    // In team mode a WebSocket call must carry a signed-in user; the transport resolves it.
    if (!ctx.user && ctx.transport === 'ws' && built?.auth.teamMode()) {
      return fail('UNAUTHORIZED', 'Sign in first: this console runs in team mode.');
    }
    const handled = invokeHandler(handlers, channel, input, ctx, logger, limits, actor);
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
    publishAddress(address) {
      try {
        claim?.publish(address);
      } catch (error) {
        // The record only helps a second process name this one; the console itself is fine.
        logger.warn('Could not record the console address beside the data-folder lock', { error });
      }
    },
    subscribe: (listener) => bus.subscribe(listener),
    status,
    limits,
    ...(built ? { auth: built.auth } : {}),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await Promise.allSettled([...inFlight]);
        for (const m of [...(built?.modules ?? [])].reverse()) await m.stop?.();
        store?.close();
      } finally {
        claim?.release();
      }
    },
  };
}

/**
 * Takes the data folder (DataDirBusyError propagates), makes it private, then opens the store.
 * Whatever cannot be used becomes a start-up error; the folder stays taken either way, so a
 * second process is told the console is running rather than racing a failed one.
 */
function openOwnedStore(
  options: CoreOptions,
  bus: EventBus,
  now: () => number,
  logger: Logger,
): { claim?: DataDirClaim; store?: Store; startupError: AppStatus['startupError'] } {
  let claim: DataDirClaim;
  try {
    claim = claimDataDir({
      dataDir: options.dataDir,
      kind: options.shell ?? 'headless',
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (error) {
    if (!(error instanceof DataDirUnusableError)) throw error;
    logger.error('The data folder cannot be used', { message: error.message });
    return { startupError: { code: 'DATA_DIR_UNUSABLE', message: error.message } };
  }
  try {
    const privacyError = checkPrivacy(options.dataDir, logger);
    if (privacyError) return { claim, startupError: privacyError };
    const store = openStore({
      dataDir: options.dataDir,
      bus,
      migrations: options.migrations ?? shippedMigrations,
      now,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    return { claim, store, startupError: null };
  } catch (error) {
    if (error instanceof StartupError) {
      logger.error('The store refused to open', { reason: error.reason, message: error.message });
      return { claim, startupError: { code: error.reason, message: error.message } };
    }
    claim.release();
    throw error;
  }
}

/**
 * Makes the data folder private (0700, files 0600), saying what it changed; a file others can
 * read that this user cannot change becomes a start-up refusal carrying the chmod command.
 */
function checkPrivacy(dataDir: string, logger: Logger): AppStatus['startupError'] {
  const report = makeDataDirPrivate(dataDir);
  if (report.fixed.length > 0) {
    logger.warn(
      `Other users could read ${report.fixed.length} file(s) in the data folder; Flightdeck made them private to you (folders 0700, files 0600)`,
      { fixed: report.fixed.map((f) => `${f.path} (was ${f.was})`) },
    );
  }
  if (report.refused.length === 0 && !report.shared) return null;
  const message = describeRefusal(report);
  logger.error('The data folder is not private', { message });
  return { code: 'DATA_DIR_NOT_PRIVATE', message };
}
