/**
 * The runtime allowlist of channel names. It is deliberately free of schemas so the preload
 * bridge can import it without pulling zod into the sandboxed preload. `index.ts` proves at
 * compile time that these lists and the contract maps name exactly the same channels.
 */
export const CALL_CHANNELS = [
  // app
  'app:status',
  // settings
  'settings:get',
  'settings:update',
  // audit
  'audit:list',
  'audit:verify',
  'audit:kinds',
  // mappings
  'mappings:list',
  'mappings:get',
  'mappings:create',
  'mappings:update',
  'mappings:remove',
  'mappings:preview',
  'mappings:checkRoute',
  'mappings:export',
  'mappings:import',
  // queue
  'queue:stats',
  'queue:overview',
  'queue:jobs',
  'queue:pause',
  'queue:resume',
  'queue:pauseMapping',
  'queue:resumeMapping',
  'queue:requeueDead',
  'queue:cancel',
  'queue:purge',
  'queue:getSettings',
  'queue:updateSettings',
  // ingest
  'ingest:info',
  'ingest:emit',
  // schedules
  'schedules:list',
  'schedules:get',
  'schedules:create',
  'schedules:update',
  'schedules:remove',
  'schedules:pause',
  'schedules:resume',
  'schedules:runNow',
  'schedules:preview',
  'schedules:ticks',
  // metrics
  'metrics:summary',
  'metrics:series',
  'metrics:drilldown',
  'metrics:workflows',
  'metrics:dimensions',
  'metrics:gauges',
  'metrics:decisions',
  'metrics:prometheus',
  // alerts
  'alerts:listRules',
  'alerts:createRule',
  'alerts:updateRule',
  'alerts:deleteRule',
  'alerts:list',
  'alerts:counts',
  'alerts:acknowledge',
  'alerts:silence',
  'alerts:unsilence',
  'alerts:getNotifier',
  'alerts:setNotifier',
  'alerts:removeNotifier',
  'alerts:testNotifier',
  'alerts:outbox',
  // monitoring
  'monitoring:list',
  // instances
  'instances:list',
  'instances:add',
  'instances:update',
  'instances:remove',
  'instances:test',
  'instances:syncNow',
  'instances:syncLog',
  // workflows
  'workflows:list',
  'workflows:get',
  'workflows:definition',
  'workflows:nodeTypes',
  'workflows:setActive',
  // executions
  'executions:list',
  'executions:get',
  // runs
  'runs:detail',
  'runs:retry',
  'runs:cancel',
  'runs:requeue',
  'runs:listViews',
  'runs:saveView',
  'runs:removeView',
  'runs:lineage',
  'runs:refs',
  // approvals
  'approvals:list',
  'approvals:count',
  'approvals:get',
  'approvals:decide',
  'approvals:decideMany',
  'approvals:claim',
  'approvals:comment',
  'approvals:expiredNotice',
  'approvals:acknowledgeExpired',
  'approvals:retryResumes',
  'approvals:listRules',
  'approvals:saveRule',
  'approvals:removeRule',
  'approvals:dryRunRule',
  'approvals:runRules',
  'approvals:listViews',
  'approvals:saveView',
  'approvals:removeView',
  // drafts
  'drafts:list',
  'drafts:get',
  'drafts:create',
  'drafts:clone',
  'drafts:import',
  'drafts:update',
  'drafts:remove',
  'drafts:diff',
  'drafts:push',
  'drafts:rebase',
  'drafts:pushes',
  'drafts:preflight',
  'drafts:merge',
  'drafts:mergeApply',
  'drafts:history',
  'drafts:historyCompare',
  'drafts:restore',
  // promotions
  'promotions:plan',
  'promotions:promote',
  'promotions:list',
  'promotions:get',
  'promotions:rollback',
  'promotions:variables',
  'promotions:setVariables',
  // backups
  'backups:list',
  'backups:export',
  'backups:read',
  'backups:upload',
  'backups:inspect',
  'backups:restore',
  'backups:discard',
  'backups:scheduleGet',
  'backups:scheduleSet',
  'backups:snapshotTake',
  'backups:snapshots',
  'backups:snapshotRestore',
  // pickers
  'pickers:options',
  // templates
  'templates:list',
  'templates:install',
  // auth
  'auth:me',
  'auth:changePassword',
  'auth:sessions',
  'auth:logoutEverywhere',
  'auth:listTokens',
  'auth:createToken',
  'auth:revokeToken',
  'auth:listUsers',
  'auth:addUser',
  'auth:updateUser',
  'auth:resetPassword',
  'auth:endSessions',
] as const;

export const EVENT_CHANNELS = [
  // settings
  'settings:changed',
  // audit
  'audit:appended',
  // mappings
  'mappings:changed',
  // queue
  'queue:changed',
  // executions
  'executions:changed',
  'executions:synced',
  'executions:rows',
  // schedules
  'schedules:changed',
  'schedules:tick',
  // metrics
  'metrics:updated',
  // alerts
  'alerts:fired',
  'alerts:resolved',
  'alerts:changed',
  'alerts:outboxChanged',
  // monitoring
  'monitoring:event',
  // instances
  'instances:changed',
  'instances:removed',
  // workflows
  'workflows:changed',
  // runs
  'runs:bulkProgress',
  // approvals
  'approvals:changed',
  'approvals:arrived',
  'approvals:expired',
  'approvals:configChanged',
  // drafts
  'drafts:changed',
  // promotions
  'promotions:changed',
  'promotions:variablesChanged',
  // backups
  'backups:progress',
  'backups:changed',
  'backups:restored',
  // auth
  'auth:changed',
] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];

const callSet: ReadonlySet<string> = new Set(CALL_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export const isCallChannel = (name: unknown): name is CallChannelName => typeof name === 'string' && callSet.has(name);

export const isEventChannel = (name: unknown): name is EventChannelName =>
  typeof name === 'string' && eventSet.has(name);
