import type { AppStatus, CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import { systemClock, type Clock } from './clock';
import { migrations as shippedMigrations } from './db/migrations';
import { StartupError, type Migration } from './db/migrate';
import { openStore, type Store } from './db/store';
import { EventBus, type AnyEventListener } from './events';
import { createAuditModule } from './audit/audit-module';
import type { CoreContext } from './context';
import type { CallContext, Handlers, Lifecycle } from './handlers';
import { invokeHandler } from './invoke';
import { silentLogger, type Logger } from './logger';
import { createMappingsModule } from './mappings/mappings-module';
import { createDraftsModule } from './drafts/drafts-module';
import { noInstancesPort, type N8nWorkflowsPort } from './drafts/n8n-port';
import { createBackupsModule } from './backups/backups-module';
import { createSettingsModule } from './settings/settings-module';

export interface CoreOptions {
  /** Folder holding the SQLite store and key files; created if missing. */
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Version shown in the UI (from package.json in the app). */
  version?: string;
  /** For tests of the migration ledger; defaults to the shipped migrations. */
  migrations?: Migration[];
  /** better-sqlite3 binary for a non-Node ABI (the Electron build). */
  nativeBinding?: string;
  /** n8n access for drafts and backups; until the instances area is wired no instance exists. */
  n8nWorkflows?: N8nWorkflowsPort;
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

  const built = store ? buildModules(store) : undefined;
  const handlers = built?.handlers;
  built?.modules.forEach((m) => m.start?.());

  /**
   * Wires the feature modules. Order matters only where one module uses another's service
   * (every writer uses the audit log; the operator's name comes from settings).
   */
  function buildModules(store: Store): { modules: Lifecycle[]; handlers: Handlers } {
    const ctx: CoreContext = {
      store,
      clock,
      logger,
      dataDir: options.dataDir,
      operator: () => settings.service.get().operatorName,
    };
    const audit = createAuditModule(ctx);
    const settings = createSettingsModule(ctx, audit.log);
    // Instances arrive with the n8n module; until then no instance resolves.
    const mappings = createMappingsModule(ctx, audit.log, { instanceBaseUrl: () => null });
    const n8nWorkflows = options.n8nWorkflows ?? noInstancesPort;
    const drafts = createDraftsModule(ctx, audit.log, n8nWorkflows);
    const backups = createBackupsModule(ctx, audit.log, {
      port: n8nWorkflows,
      appVersion: options.version ?? '0.0.0',
      // A restore replaces every area's rows: tell every window's caches to refresh.
      onRestored: (announce) => {
        announce('settings:changed', settings.service.get());
        announce('mappings:changed', { ids: [] });
        announce('drafts:changed', { ids: [] });
      },
    });
    const handlers: Handlers = {
      'app:status': () => status(),
      ...settings.handlers,
      ...audit.handlers,
      ...mappings.handlers,
      ...drafts.handlers,
      ...backups.handlers,
    };
    return { modules: [audit, settings, mappings, drafts, backups], handlers };
  }

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function invoke(channel: unknown, input: unknown, ctx: CallContext = { transport: 'direct' }) {
    if (closed) return fail('UNAVAILABLE', 'Flightdeck is shutting down; try again after it restarts.', true);
    if (!handlers) {
      if (channel === 'app:status') return { ok: true as const, data: status() };
      return fail('STARTUP_FAILED', startupError?.message ?? 'Flightdeck failed to start.');
    }
    const pending = invokeHandler(handlers, channel, input, ctx, logger);
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
