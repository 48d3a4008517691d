import type { z } from 'zod';
import type { Result } from '../result';
import { appCalls, appEvents } from './app';
import { approvalsCalls, approvalsEvents } from './approvals';
import { authCalls, authEvents } from './auth';
import { auditCalls, auditEvents } from './audit';
import { executionsCalls, executionsEvents } from './executions';
import { runsCalls, runsEvents } from './runs';
import { ingestCalls, ingestEvents } from './ingest';
import { mappingsCalls, mappingsEvents } from './mappings';
import { draftsCalls, draftsEvents } from './drafts';
import { promotionsCalls, promotionsEvents } from './promotions';
import { backupsCalls, backupsEvents } from './backups';
import type { CallChannelName, EventChannelName } from './channels';
import { settingsCalls, settingsEvents } from './settings';
import { queueCalls, queueEvents } from './queue';
import { schedulesCalls, schedulesEvents } from './schedules';
import { alertsCalls, alertsEvents, metricsCalls, metricsEvents, monitoringCalls, monitoringEvents } from './metrics';
import { instancesCalls, instancesEvents } from './instances';
import { workflowsCalls, workflowsEvents } from './workflows';
import { pickersCalls, pickersEvents } from './pickers';
import { templatesCalls, templatesEvents } from './templates';

export * from './app';
export * from './approvals';
export * from './auth';
export * from './audit';
export * from './executions-model';
export * from './mappings';
export * from './ingest';
export * from './drafts';
export * from './promotions';
export * from './backups';
export * from './settings';
export * from './queue';
export * from './schedules';
export * from './metrics';
export * from './instances';
export * from './workflows';
export * from './pickers';
export * from './templates';
export * from './executions';
export * from './runs';
export * from './channels';

/**
 * Every call of every area. Each area owns the `area:` prefix of its channel names, so two
 * areas cannot collide; `contract.test.ts` checks the prefixes.
 */
export const calls = {
  ...appCalls,
  ...settingsCalls,
  ...auditCalls,
  ...mappingsCalls,
  ...queueCalls,
  ...ingestCalls,
  ...executionsCalls,
  ...runsCalls,
  ...schedulesCalls,
  ...metricsCalls,
  ...alertsCalls,
  ...monitoringCalls,
  ...instancesCalls,
  ...workflowsCalls,
  ...approvalsCalls,
  ...draftsCalls,
  ...promotionsCalls,
  ...backupsCalls,
  ...pickersCalls,
  ...templatesCalls,
  ...authCalls,
};

/** Every event of every area: payload schemas, pushed from core to all windows. */
export const events = {
  ...appEvents,
  ...settingsEvents,
  ...auditEvents,
  ...mappingsEvents,
  ...queueEvents,
  ...ingestEvents,
  ...executionsEvents,
  ...runsEvents,
  ...schedulesEvents,
  ...metricsEvents,
  ...alertsEvents,
  ...monitoringEvents,
  ...instancesEvents,
  ...workflowsEvents,
  ...approvalsEvents,
  ...draftsEvents,
  ...promotionsEvents,
  ...backupsEvents,
  ...pickersEvents,
  ...templatesEvents,
  ...authEvents,
};

export const areas = {
  app: { calls: appCalls, events: appEvents },
  settings: { calls: settingsCalls, events: settingsEvents },
  audit: { calls: auditCalls, events: auditEvents },
  mappings: { calls: mappingsCalls, events: mappingsEvents },
  queue: { calls: queueCalls, events: queueEvents },
  ingest: { calls: ingestCalls, events: ingestEvents },
  executions: { calls: executionsCalls, events: executionsEvents },
  runs: { calls: runsCalls, events: runsEvents },
  schedules: { calls: schedulesCalls, events: schedulesEvents },
  metrics: { calls: metricsCalls, events: metricsEvents },
  alerts: { calls: alertsCalls, events: alertsEvents },
  monitoring: { calls: monitoringCalls, events: monitoringEvents },
  instances: { calls: instancesCalls, events: instancesEvents },
  workflows: { calls: workflowsCalls, events: workflowsEvents },
  approvals: { calls: approvalsCalls, events: approvalsEvents },
  drafts: { calls: draftsCalls, events: draftsEvents },
  promotions: { calls: promotionsCalls, events: promotionsEvents },
  backups: { calls: backupsCalls, events: backupsEvents },
  pickers: { calls: pickersCalls, events: pickersEvents },
  templates: { calls: templatesCalls, events: templatesEvents },
  auth: { calls: authCalls, events: authEvents },
} as const;

export type Calls = typeof calls;
export type Events = typeof events;
export type CallChannel = keyof Calls;
export type EventChannel = keyof Events;
/** What a caller sends (before defaults are applied). */
export type CallInput<C extends CallChannel> = z.input<Calls[C]['input']>;
/** What a handler receives (after validation and defaults). */
export type CallArgs<C extends CallChannel> = z.output<Calls[C]['input']>;
export type CallOutput<C extends CallChannel> = z.output<Calls[C]['output']>;
export type EventPayload<E extends EventChannel> = z.output<Events[E]>;

/** The compiler proves the allowlist complete: a channel missing on either side fails the build. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const allowlistMatchesCalls: Same<CallChannel, CallChannelName> = true;
export const allowlistMatchesEvents: Same<EventChannel, EventChannelName> = true;

/** The connection state a transport reports; Electron IPC is always `connected`. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** The one API the renderer talks to, whatever carries it (Electron IPC or WebSocket). */
export interface FlightdeckApi {
  call<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Subscribes to connection changes; returns the function that unsubscribes. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
