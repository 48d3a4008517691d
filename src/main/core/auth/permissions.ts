import type { CallChannel } from '../../../shared/contract';
import { roleAtLeast, type Role } from '../../../shared/contract/auth';

/**
 * The role each call channel needs: one table for both transports, checked in `invoke` before
 * the argument is even validated. The type makes a channel missing here a compile error, like
 * the handler table. Roles include the ones below them (see ROLES).
 */
export const PERMISSIONS: { readonly [C in CallChannel]: Role } = {
  'app:status': 'viewer',

  'settings:get': 'viewer',
  'settings:update': 'admin',

  'audit:list': 'viewer',
  'audit:verify': 'viewer',
  'audit:kinds': 'viewer',

  'mappings:list': 'viewer',
  'mappings:get': 'viewer',
  'mappings:preview': 'viewer',
  'mappings:checkRoute': 'viewer',
  'pickers:options': 'viewer',
  'mappings:export': 'viewer',
  'mappings:create': 'editor',
  'mappings:update': 'editor',
  'mappings:remove': 'editor',
  'mappings:import': 'editor',

  'queue:stats': 'viewer',
  'queue:overview': 'viewer',
  'queue:jobs': 'viewer',
  'queue:getSettings': 'viewer',
  'queue:pause': 'operator',
  'queue:resume': 'operator',
  'queue:pauseMapping': 'operator',
  'queue:resumeMapping': 'operator',
  'queue:requeueDead': 'operator',
  'queue:cancel': 'operator',
  // Finished jobs only; their runs stay in Executions.
  'queue:purge': 'operator',
  // Delivery limits for every instance and mapping: a console setting.
  'queue:updateSettings': 'admin',

  'ingest:info': 'viewer',
  'ingest:emit': 'operator',

  'schedules:list': 'viewer',
  'schedules:get': 'viewer',
  'schedules:preview': 'viewer',
  'schedules:ticks': 'viewer',
  'schedules:runNow': 'operator',
  'schedules:pause': 'operator',
  'schedules:resume': 'operator',
  'schedules:create': 'editor',
  'schedules:update': 'editor',
  'schedules:remove': 'editor',

  'metrics:summary': 'viewer',
  'metrics:series': 'viewer',
  'metrics:drilldown': 'viewer',
  'metrics:workflows': 'viewer',
  'metrics:dimensions': 'viewer',
  'metrics:gauges': 'viewer',
  'metrics:decisions': 'viewer',
  'metrics:prometheus': 'viewer',

  'alerts:listRules': 'viewer',
  'alerts:list': 'viewer',
  'alerts:createRule': 'editor',
  'alerts:updateRule': 'editor',
  'alerts:deleteRule': 'editor',
  'alerts:counts': 'viewer',
  'alerts:outbox': 'viewer',
  // Attention to a firing alert is operations work, like pausing the queue.
  'alerts:acknowledge': 'operator',
  'alerts:silence': 'operator',
  'alerts:unsilence': 'operator',
  // The notifier's address and secret are never shown; setting them (or sending a test) is a console setting.
  'alerts:getNotifier': 'viewer',
  'alerts:setNotifier': 'admin',
  'alerts:removeNotifier': 'admin',
  'alerts:testNotifier': 'admin',

  'monitoring:list': 'viewer',

  'instances:list': 'viewer',
  'instances:syncLog': 'viewer',
  'instances:syncNow': 'operator',
  'instances:add': 'admin',
  'instances:update': 'admin',
  'instances:remove': 'admin',
  // Takes an address and an API key (the instance form), or re-tests a saved instance's key.
  'instances:test': 'admin',

  'workflows:list': 'viewer',
  'workflows:get': 'viewer',
  'workflows:definition': 'viewer',
  'workflows:nodeTypes': 'viewer',
  // Changes what runs in n8n: the same trust as pushing a draft.
  'workflows:setActive': 'editor',

  'executions:list': 'viewer',
  'executions:get': 'viewer',

  'runs:detail': 'viewer',
  'runs:lineage': 'viewer',
  'runs:refs': 'viewer',
  'runs:listViews': 'viewer',
  'runs:retry': 'operator',
  'runs:cancel': 'operator',
  'runs:requeue': 'operator',
  // Saved views are shared by everyone who opens the console.
  'runs:saveView': 'operator',
  'runs:removeView': 'operator',

  'approvals:list': 'viewer',
  'approvals:count': 'viewer',
  'approvals:get': 'viewer',
  'approvals:expiredNotice': 'viewer',
  'approvals:listRules': 'viewer',
  'approvals:listViews': 'viewer',
  'approvals:acknowledgeExpired': 'operator',
  'approvals:comment': 'operator',
  'approvals:retryResumes': 'operator',
  'approvals:saveView': 'operator',
  'approvals:removeView': 'operator',
  'approvals:decide': 'approver',
  'approvals:decideMany': 'approver',
  'approvals:claim': 'approver',
  // Applying the rules to open items decides them.
  'approvals:runRules': 'approver',
  'approvals:saveRule': 'editor',
  'approvals:removeRule': 'editor',
  'approvals:dryRunRule': 'editor',

  // Starter kits: reading them is harmless; installing writes a workflow to n8n and a mapping here.
  'templates:list': 'viewer',
  'templates:install': 'editor',

  'drafts:list': 'viewer',
  'drafts:get': 'viewer',
  'drafts:diff': 'viewer',
  'drafts:pushes': 'viewer',
  'drafts:create': 'editor',
  'drafts:clone': 'editor',
  'drafts:import': 'editor',
  'drafts:update': 'editor',
  'drafts:remove': 'editor',
  'drafts:push': 'editor',
  'drafts:preflight': 'viewer',
  'drafts:rebase': 'editor',
  'drafts:merge': 'editor',
  'drafts:mergeApply': 'editor',
  'drafts:history': 'viewer',
  'drafts:historyCompare': 'viewer',
  'drafts:restore': 'editor',

  'promotions:plan': 'viewer',
  'promotions:list': 'viewer',
  'promotions:get': 'viewer',
  'promotions:variables': 'viewer',
  // Writes workflows into another instance (often production), and takes them back.
  'promotions:promote': 'admin',
  'promotions:rollback': 'admin',
  // Variables decide what a promotion writes into the target.
  'promotions:setVariables': 'admin',

  // A backup holds everything (keys too when encrypted): listing is a read, the rest is admin.
  'backups:list': 'viewer',
  'backups:scheduleGet': 'viewer',
  'backups:snapshots': 'viewer',
  'backups:export': 'admin',
  'backups:read': 'admin',
  'backups:upload': 'admin',
  'backups:inspect': 'admin',
  'backups:restore': 'admin',
  'backups:discard': 'admin',
  'backups:scheduleSet': 'admin',
  'backups:snapshotTake': 'admin',
  'backups:snapshotRestore': 'admin',

  // One's own account, sessions and tokens.
  'auth:me': 'viewer',
  'auth:changePassword': 'viewer',
  'auth:sessions': 'viewer',
  'auth:logoutEverywhere': 'viewer',
  'auth:listTokens': 'viewer',
  'auth:createToken': 'viewer',
  'auth:revokeToken': 'viewer',
  // Everyone's.
  'auth:listUsers': 'admin',
  'auth:addUser': 'admin',
  'auth:updateUser': 'admin',
  'auth:resetPassword': 'admin',
  'auth:endSessions': 'admin',
};

/** The refusal's words: `approvals:decide needs the approver role (you are an operator).` */
export function permissionProblem(channel: CallChannel, role: Role): string | null {
  const needed = PERMISSIONS[channel];
  if (roleAtLeast(role, needed)) return null;
  const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
  return `${channel} needs the ${needed} role (you are ${article(role)} ${role}).`;
}
