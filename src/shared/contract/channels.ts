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
  // mappings
  'mappings:list',
  'mappings:get',
  'mappings:create',
  'mappings:update',
  'mappings:remove',
  'mappings:preview',
  'mappings:export',
  'mappings:import',
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
] as const;

export const EVENT_CHANNELS = [
  // settings
  'settings:changed',
  // audit
  'audit:appended',
  // mappings
  'mappings:changed',
  // drafts
  'drafts:changed',
  // backups
  'backups:progress',
  'backups:changed',
] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];

const callSet: ReadonlySet<string> = new Set(CALL_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export const isCallChannel = (name: unknown): name is CallChannelName => typeof name === 'string' && callSet.has(name);

export const isEventChannel = (name: unknown): name is EventChannelName =>
  typeof name === 'string' && eventSet.has(name);
