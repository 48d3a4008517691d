/**
 * The runtime allowlist of channel names. It is deliberately free of schemas so the preload
 * bridge can import it without pulling zod into the sandboxed preload. `index.ts` proves at
 * compile time that these lists and the contract maps name exactly the same channels.
 */
export const CALL_CHANNELS = [
  'app:status',
  'settings:get',
  'settings:update',
  'audit:list',
  'audit:verify',
  'instances:list',
  'instances:add',
  'instances:update',
  'instances:remove',
  'instances:test',
  'instances:syncNow',
  'instances:syncLog',
  'workflows:list',
  'workflows:get',
  'workflows:setActive',
  'executions:list',
  'executions:get',
] as const;

export const EVENT_CHANNELS = [
  'settings:changed',
  'audit:appended',
  'instances:changed',
  'instances:removed',
  'workflows:changed',
  'executions:synced',
] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];

const callSet: ReadonlySet<string> = new Set(CALL_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export const isCallChannel = (name: unknown): name is CallChannelName => typeof name === 'string' && callSet.has(name);

export const isEventChannel = (name: unknown): name is EventChannelName =>
  typeof name === 'string' && eventSet.has(name);
