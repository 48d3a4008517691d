import type { AppStatus } from '../../shared/contract';
import { AppError } from '../../shared/result';
import { createApprovalsModule } from './approvals/approvals-module';
import { createAuditModule } from './audit/audit-module';
import type { ActorScope } from './auth/actor';
import { createAuthModule } from './auth/auth-module';
import type { AuthOptions, AuthService } from './auth/auth-service';
import type { AuditLog } from './audit/audit-log';
import { createBackupsModule } from './backups/backups-module';
import type { Clock } from './clock';
import type { CoreContext } from './context';
import type { Store } from './db/store';
import { pipelineApprovalPorts } from './dispatch/approval-ports';
import { createDispatcher, type WebhookPost } from './dispatch/dispatcher';
import { createEmitter } from './dispatch/emit';
import { createExecutionsWriter } from './dispatch/executions-writer';
import { createLinker, type LinkerOptions } from './dispatch/linker';
import { createRunsModule } from './dispatch/runs-module';
import { createRunFinder, type FindRunInN8n, type RunFinderOptions } from './dispatch/run-lookup';
import { createWebhookPost } from './dispatch/webhook-post';
import { createDraftsModule } from './drafts/drafts-module';
import type { N8nWorkflowsPort } from './drafts/n8n-port';
import type { Handlers, Lifecycle } from './handlers';
import { createIngestModule } from './ingest/ingest-module';
import { createInstancesModule, type N8nOptions } from './instances/instances-module';
import type { SecretBox } from './instances/secret-box';
import type { Logger } from './logger';
import { createMappingsModule } from './mappings/mappings-module';
import { createMetricsModule, type MetricsOptions } from './metrics/metrics-module';
import { createExecutionsModule, createWorkflowsModule } from './n8n/n8n-modules';
import { createWaitingLookup } from './n8n/waiting-lookup';
import { clientWorkflowsPort } from './n8n/workflows-port';
import { createWebhookGrace } from './n8n/webhook-grace';
import { createPickersModule } from './pickers/picker-options';
import { clientPromotionPort } from './promote/promote-port';
import { createPromotionsModule } from './promote/promote-module';
import { createQueueModule } from './queue/queue-module';
import { createSchedulesModule } from './scheduler/schedules-module';
import { createSettingsModule } from './settings/settings-module';
import { clientTemplatesPort } from './templates/n8n-port';
import { createTemplatesModule } from './templates/templates-module';

/** Options of the feature modules (part of CoreOptions). */
export interface WiringOptions {
  /** Version shown in the UI and written into backups (from package.json in the app). */
  version?: string;
  /** Loopback port of the signed HTTP event endpoint; 0 picks one; null or absent: off. */
  ingestPort?: number | null;
  /** How webhook calls are made (tests may pass their own); default: undici with keep-alive. */
  webhookPost?: WebhookPost;
  /** How often local runs are linked to the n8n executions they started, and how far it searches. */
  linker?: LinkerOptions & { finder?: RunFinderOptions };
  /** Gauge providers, instance health and timings of the metrics module. */
  metrics?: MetricsOptions;
  /** Seals n8n API keys at rest; default AES-256-GCM with <dataDir>/keys/master.key (0600). */
  secretBox?: SecretBox;
  /** n8n clients and background sync (intervals, backoff, timers; tests inject a MockAgent). */
  n8n?: N8nOptions;
  /** n8n access for drafts and backups; until the instances area is wired no instance exists. */
  n8nWorkflows?: N8nWorkflowsPort;
  /** Team mode: session lifetime and password hashing cost. */
  auth?: AuthOptions;
  /** How the dispatcher delivers: lease, hold sweep, and its look-up of runs in n8n (tests). */
  dispatch?: { leaseMs?: number; holdSweepMs?: number; findRunInN8n?: FindRunInN8n };
}

type Instances = ReturnType<typeof createInstancesModule>;

/** n8n itself: instance profiles and clients, synced workflows, the executions read side. */
function wireN8n(ctx: CoreContext, audit: AuditLog, options: WiringOptions) {
  const instances = createInstancesModule(ctx, audit, {
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
    ...(options.n8n ? { n8n: options.n8n } : {}),
  });
  return {
    instances,
    workflows: createWorkflowsModule(ctx, audit, instances.clients),
    remoteExecutions: createExecutionsModule(ctx, instances.clients),
  };
}

/** Events in, runs out: mappings, the queue, approvals' gates, the dispatcher and the doors. */
function wirePipeline(
  ctx: CoreContext,
  audit: AuditLog,
  instances: Instances,
  options: WiringOptions,
  retentionDays: () => number,
) {
  // Per event and per dispatch: the service's cached endpoint, not the full row.
  const instanceBaseUrl = (id: string): string | null => instances.service.endpoint(id)?.baseUrl ?? null;
  // A run records who asked for it (the four-eyes rule of approvals reads it).
  const executions = createExecutionsWriter(ctx.store, { requestedBy: () => ctx.requester?.() ?? null });
  // The Queue area names instances and mappings; requeue and cancel there move the runs too.
  const late: {
    enqueueRun?: ReturnType<typeof createEmitter>['enqueueRun'];
    mappings?: ReturnType<typeof createMappingsModule>;
  } = {};
  const queue = createQueueModule(ctx, audit, {
    directory: {
      instances: () => instances.service.list().map(({ id, name, health }) => ({ id, name, health })),
      mappings: () =>
        (late.mappings?.service.list() ?? []).map(({ id, name, event, instanceId }) => ({
          id,
          name,
          event,
          instanceId,
        })),
    },
    runStatus: (_announce, ids, status) => {
      for (const id of ids) executions.setStatus(id, status, ctx.clock.now());
    },
    retention: { days: retentionDays },
  });
  const mappings = createMappingsModule(ctx, audit, {
    instanceBaseUrl,
    applyLimits: (id, limits) => queue.jobs.setLimits('mapping', id, limits ?? { concurrency: null, rate: null }),
  });
  late.mappings = mappings;
  // Approvals hold gated runs; approving one enqueues it through the emitter (bound below).
  const approvals = createApprovalsModule(
    ctx,
    audit,
    pipelineApprovalPorts({
      store: ctx.store,
      now: () => ctx.clock.now(),
      mappings: mappings.service,
      instances: instances.service,
      // The client learns the version the sync read, so a resume on 1.x asks n8n nothing extra.
      waitingLookup: createWaitingLookup((id) => {
        const client = instances.clients.forInstance(id);
        client.rememberVersion(instances.service.find(id)?.sync.n8nVersion);
        return client;
      }),
      enqueueRun: () => {
        if (!late.enqueueRun)
          throw new AppError('UNAVAILABLE', 'The dispatch pipeline is not ready yet.', { retryable: true });
        return late.enqueueRun;
      },
    }),
  );
  const emit = createEmitter({
    ctx,
    audit,
    mappings: mappings.service,
    jobs: queue.jobs,
    executions,
    gates: approvals.service,
  });
  late.enqueueRun = emit.enqueueRun;
  // Finds a run's n8n execution by its mark: the linker's engine, and crash recovery's findRunInN8n.
  const runFinder = createRunFinder(instances.clients, options.linker?.finder);
  const ownPost = options.webhookPost ? undefined : createWebhookPost();
  const post: WebhookPost = options.webhookPost ?? (ownPost as WebhookPost);
  return {
    queue,
    mappings,
    approvals,
    emit,
    httpClient: { stop: () => ownPost?.close() } satisfies Lifecycle,
    dispatcher: createDispatcher({
      ctx,
      jobs: queue.jobs,
      executions,
      instanceBaseUrl,
      instanceName: (id) => instances.service.endpoint(id)?.name ?? null,
      post,
      health: instances.health,
      // Before re-sending a run whose attempt may have reached n8n: the linker's finder, by mark.
      findRunInN8n: options.dispatch?.findRunInN8n ?? runFinder.findRunInN8n,
      rerunsFailedWorkflow: (id) => {
        try {
          return mappings.service.get(id).retry.rerunFailedWorkflow;
        } catch {
          return false; // removed meanwhile: never re-run
        }
      },
      // A 404 right after a publish/activation (n8n 2.x registers webhooks asynchronously), or
      // while n8n reports the workflow live, is retried: the synced copy says which (n8n/webhook-grace.ts).
      webhookGraceReason: createWebhookGrace(ctx.store.db).webhookGraceReason,
      holdLimitMs: () => queue.holdLimitMs(),
      ...(options.dispatch?.leaseMs !== undefined ? { leaseMs: options.dispatch.leaseMs } : {}),
      ...(options.dispatch?.holdSweepMs !== undefined ? { holdSweepMs: options.dispatch.holdSweepMs } : {}),
    }),
    runFinder,
    linker: createLinker(
      ctx,
      {
        clients: instances.clients,
        finder: runFinder,
        instances: () => instances.service.list(),
        // New waits reach the inbox at once, not at its next tick.
        onWaits: () =>
          void approvals.service
            .syncWaiting()
            .catch((error: unknown) => ctx.logger.warn('Could not add n8n waits to the inbox', { error })),
      },
      options.linker,
    ),
    ingest: createIngestModule(ctx, {
      emit,
      hasMappings: (event) => mappings.service.hasActive(event),
      port: options.ingestPort ?? null,
      registerWaiting: (input) => approvals.service.registerWaiting(input),
    }),
    runs: createRunsModule({
      ctx,
      audit,
      jobs: queue.jobs,
      executions,
      mappings: mappings.service,
      clients: instances.clients,
      enqueueRun: emit.enqueueRun,
    }),
  };
}

/** What metrics reads from the other areas: gauges, decision times, instance health. */
function metricsSources(
  pipeline: ReturnType<typeof wirePipeline>,
  instances: Instances,
  options: WiringOptions,
): MetricsOptions {
  const { queue, approvals } = pipeline;
  return {
    ...options.metrics,
    // The notifier's address and secret are sealed like the n8n API keys.
    ...(options.secretBox && !options.metrics?.secretBox ? { secretBox: options.secretBox } : {}),
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
        // Health (dispatch, sync and probe) where it has spoken; else what the sync last saw.
        instances.service
          .list()
          .filter((i) => i.health.state !== 'unknown' || (i.syncEnabled && i.sync.state !== 'never'))
          .map((i) => ({
            instanceId: i.id,
            up: i.health.state === 'unknown' ? i.sync.state !== 'offline' : i.health.state === 'up',
          }))),
  };
}

/** Every module's `restored` hook, in start order; one failing is logged and the others still run. */
async function runRestoredHooks(modules: readonly Lifecycle[], logger: Logger): Promise<void> {
  for (const module of modules) {
    try {
      await module.restored?.();
    } catch (error) {
      logger.error('A module could not reload after a restore; restart Flightdeck if its page looks stale', { error });
    }
  }
}

/**
 * Builds every feature module on an open store and returns them (in start order) with the one
 * handler table both transports use. Order matters only where one module uses another's service.
 */
export function wireModules(
  base: { store: Store; clock: Clock; logger: Logger; dataDir: string; actor?: ActorScope },
  options: WiringOptions,
  status: () => AppStatus,
): { modules: Lifecycle[]; handlers: Handlers; auth: AuthService } {
  const { actor, ...rest } = base;
  // The audit actor, decider, commenter: the account of the call running now (team mode), else
  // the operator-name setting; work outside any call in team mode is the system's.
  const operator = () => {
    const user = actor?.current();
    if (user && user.via !== 'local') return user.username;
    if (!user && auth.service.teamMode()) return 'system';
    return settings.service.get().operatorName;
  };
  const ctx: CoreContext = {
    ...rest,
    operator,
    // Who asks for a run: the caller of a call (operator or user); nobody for machine traffic.
    requester: () => (actor?.current() ? operator() : null),
    teamMode: () => auth.service.teamMode(),
    callerRole: () => actor?.current()?.role ?? null,
  };
  const audit = createAuditModule(ctx);
  const auth = createAuthModule(ctx, audit.log, options.auth);
  const settings = createSettingsModule(ctx, audit.log);
  const { instances, workflows, remoteExecutions } = wireN8n(ctx, audit.log, options);
  // Finished jobs follow the executions' retention setting.
  const pipeline = wirePipeline(ctx, audit.log, instances, options, () => settings.service.get().retentionDays);
  const { queue, mappings, approvals, httpClient, dispatcher, linker, ingest, runs } = pipeline;
  const schedules = createSchedulesModule(ctx, audit.log, {
    emit: pipeline.emit,
    // The tick ledger follows the operator's history setting.
    retention: () => ({ maxAgeMs: settings.service.get().retentionDays * 86_400_000, maxPerSchedule: 10_000 }),
  });
  const metrics = createMetricsModule(
    ctx,
    { audit: audit.log, retentionDays: () => settings.service.get().retentionDays },
    metricsSources(pipeline, instances, options),
  );
  const n8nWorkflows = options.n8nWorkflows ?? clientWorkflowsPort(instances.service, instances.clients);
  const drafts = createDraftsModule(ctx, audit.log, n8nWorkflows);
  // Starter kits install through the same services an operator uses (mapping, schedule, n8n client).
  const templates = createTemplatesModule(ctx, audit.log, {
    port: clientTemplatesPort(instances.service, instances.clients),
    mappings: mappings.service,
    schedules: { create: (draft) => schedules.service.create(draft), forget: (id) => schedules.engine.forget(id) },
  });
  const promotions = createPromotionsModule(
    ctx,
    audit.log,
    clientPromotionPort(instances.service, instances.clients),
  );
  const pickers = createPickersModule(ctx, {
    instances: () => instances.service.list(),
    mappings: () => mappings.service.list(),
  });
  const backups = createBackupsModule(ctx, audit.log, {
    port: n8nWorkflows,
    appVersion: options.version ?? '0.0.0',
    keys: { opens: (key) => instances.service.keyOpens(key) },
    // A restore replaces every area's rows: each module reloads what it caches (its own hook).
    afterRestore: () => runRestoredHooks(modules, ctx.logger),
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
    ...promotions.handlers,
    ...backups.handlers,
    ...pickers.handlers,
    ...templates.handlers,
    ...auth.handlers,
  };
  const modules: Lifecycle[] = [
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
    promotions,
    backups,
  ];
  return { modules, handlers, auth: auth.service };
}
