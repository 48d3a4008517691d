import type { AppStatus, CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { AppError, fail, type Result } from '../../shared/result';
import { systemClock, type Clock } from './clock';
import { migrations as shippedMigrations } from './db/migrations';
import { StartupError, type Migration } from './db/migrate';
import { openStore, type Store } from './db/store';
import { EventBus, type AnyEventListener } from './events';
import { createAuditModule } from './audit/audit-module';
import { createApprovalsModule } from './approvals/approvals-module';
import type { CoreContext } from './context';
import type { CallContext, Handlers, Lifecycle } from './handlers';
import { invokeHandler } from './invoke';
import { silentLogger, type Logger } from './logger';
import { createDispatcher, type WebhookPost } from './dispatch/dispatcher';
import { createEmitter } from './dispatch/emit';
import { createExecutionsWriter } from './dispatch/executions-writer';
import { pipelineApprovalPorts } from './dispatch/approval-ports';
import { createLinker, type LinkerOptions } from './dispatch/linker';
import { createRunsModule } from './dispatch/runs-module';
import { createWebhookPost } from './dispatch/webhook-post';
import { createIngestModule } from './ingest/ingest-module';
import { createMappingsModule } from './mappings/mappings-module';
import { createDraftsModule } from './drafts/drafts-module';
import type { N8nWorkflowsPort } from './drafts/n8n-port';
import { clientWorkflowsPort } from './n8n/workflows-port';
import { createBackupsModule } from './backups/backups-module';
import { createSettingsModule } from './settings/settings-module';
import { createQueueModule } from './queue/queue-module';
import { createSchedulesModule } from './scheduler/schedules-module';
import { createMetricsModule, type MetricsOptions } from './metrics/metrics-module';
import { createInstancesModule, type N8nOptions } from './instances/instances-module';
import type { SecretBox } from './instances/secret-box';
import { createExecutionsModule, createWorkflowsModule } from './n8n/n8n-modules';

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
  /** Loopback port of the signed HTTP event endpoint; 0 picks one; null or absent: off. */
  ingestPort?: number | null;
  /** How webhook calls are made (tests may pass their own); default: undici with keep-alive. */
  webhookPost?: WebhookPost;
  /** How often local runs are linked to the n8n executions they started. */
  linker?: LinkerOptions;
  /** Gauge providers, instance health and timings of the metrics module. */
  metrics?: MetricsOptions;
  /** Seals n8n API keys at rest; default AES-256-GCM with <dataDir>/keys/master.key (0600). */
  secretBox?: SecretBox;
  /** n8n clients and background sync (intervals, backoff, timers; tests inject a MockAgent). */
  n8n?: N8nOptions;
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
    const instances = createInstancesModule(ctx, audit.log, {
      ...(options.secretBox ? { secretBox: options.secretBox } : {}),
      ...(options.n8n ? { n8n: options.n8n } : {}),
    });
    const workflows = createWorkflowsModule(ctx, audit.log, instances.clients);
    const remoteExecutions = createExecutionsModule(ctx, instances.clients);
    const instanceBaseUrl = (id: string): string | null => instances.service.find(id)?.baseUrl ?? null;
    const queue = createQueueModule(ctx, audit.log);
    const mappings = createMappingsModule(ctx, audit.log, {
      instanceBaseUrl,
      applyLimits: (id, limits) => queue.jobs.setLimits('mapping', id, limits ?? { concurrency: null, rate: null }),
    });
    const executions = createExecutionsWriter(store);
    // Approvals hold gated runs; approving one enqueues it through the emitter (bound below).
    const late: { enqueueRun?: ReturnType<typeof createEmitter>['enqueueRun'] } = {};
    const approvals = createApprovalsModule(
      ctx,
      audit.log,
      pipelineApprovalPorts({
        store,
        now,
        mappings: mappings.service,
        instances: instances.service,
        enqueueRun: () => {
          if (!late.enqueueRun)
            throw new AppError('UNAVAILABLE', 'The dispatch pipeline is not ready yet.', { retryable: true });
          return late.enqueueRun;
        },
      }),
    );
    const emit = createEmitter({
      ctx,
      audit: audit.log,
      mappings: mappings.service,
      jobs: queue.jobs,
      executions,
      gates: approvals.service,
    });
    late.enqueueRun = emit.enqueueRun;
    const ownPost = options.webhookPost ? undefined : createWebhookPost();
    const post = options.webhookPost ?? ownPost!;
    const httpClient = { stop: () => ownPost?.close() };
    const dispatcher = createDispatcher({ ctx, jobs: queue.jobs, executions, instanceBaseUrl, post });
    const linker = createLinker(ctx, instances.clients, options.linker);
    const ingest = createIngestModule(ctx, {
      emit,
      hasMappings: (event) => mappings.service.hasActive(event),
      port: options.ingestPort ?? null,
      registerWaiting: (input) => approvals.service.registerWaiting(input),
    });
    const runs = createRunsModule({
      ctx,
      audit: audit.log,
      jobs: queue.jobs,
      executions,
      mappings: mappings.service,
      clients: instances.clients,
      enqueueRun: emit.enqueueRun,
    });
    const schedules = createSchedulesModule(ctx, audit.log, {
      emit,
      // The tick ledger follows the operator's history setting.
      retention: () => ({ maxAgeMs: settings.service.get().retentionDays * 86_400_000, maxPerSchedule: 10_000 }),
    });
    const metrics = createMetricsModule(
      ctx,
      { audit: audit.log, retentionDays: () => settings.service.get().retentionDays },
      {
        ...options.metrics,
        gauges: {
          queueDepth: () => {
            const { waiting, delayed, active } = queue.jobs.counts().total;
            return waiting + delayed + active;
          },
          deadLetters: () => queue.jobs.counts().total.dead_lettered,
          approvalsPending: () => approvals.service.count().pending,
          ...options.metrics?.gauges,
        },
        decisionTimes: options.metrics?.decisionTimes ?? ((from, to) => approvals.service.decisionTimes(from, to)),
        instanceHealth:
          options.metrics?.instanceHealth ??
          (() =>
            instances.service
              .list()
              .filter((i) => i.syncEnabled && i.sync.state !== 'never')
              .map((i) => ({ instanceId: i.id, up: i.sync.state !== 'offline' }))),
      },
    );
    const n8nWorkflows = options.n8nWorkflows ?? clientWorkflowsPort(instances.service, instances.clients);
    const drafts = createDraftsModule(ctx, audit.log, n8nWorkflows);
    const backups = createBackupsModule(ctx, audit.log, {
      port: n8nWorkflows,
      appVersion: options.version ?? '0.0.0',
      // A restore replaces every area's rows: tell every window's caches to refresh.
      onRestored: (announce) => {
        announce('settings:changed', settings.service.get());
        announce('mappings:changed', { ids: [] });
        announce('drafts:changed', { ids: [] });
        announce('executions:changed', { ids: [] });
      },
    });
    const handlers: Handlers = {
      'app:status': () => status(),
      ...settings.handlers,
      ...audit.handlers,
      ...instances.handlers,
      ...workflows.handlers,
      ...remoteExecutions.handlers,
      ...mappings.handlers,
      ...queue.handlers,
      ...ingest.handlers,
      ...runs.handlers,
      ...schedules.handlers,
      ...metrics.handlers,
      ...approvals.handlers,
      ...drafts.handlers,
      ...backups.handlers,
    };
    return {
      modules: [
        audit,
        settings,
        instances,
        workflows,
        remoteExecutions,
        mappings,
        queue,
        httpClient,
        dispatcher,
        linker,
        ingest,
        runs,
        schedules,
        metrics,
        approvals,
        drafts,
        backups,
      ],
      handlers,
    };
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
