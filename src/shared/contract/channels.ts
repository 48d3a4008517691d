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
  'metrics:summary',
  'metrics:series',
  'metrics:drilldown',
  'metrics:workflows',
  'metrics:dimensions',
  'metrics:gauges',
  'metrics:prometheus',
  'alerts:listRules',
  'alerts:createRule',
  'alerts:updateRule',
  'alerts:deleteRule',
  'alerts:list',
  'monitoring:list',
] as const;

export const EVENT_CHANNELS = [
  'settings:changed',
  'audit:appended',
  'metrics:updated',
  'alerts:fired',
  'alerts:resolved',
  'monitoring:event',
] as const;

export type CallChannelName = (typeof CALL_CHANNELS)[number];
export type EventChannelName = (typeof EVENT_CHANNELS)[number];

const callSet: ReadonlySet<string> = new Set(CALL_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export const isCallChannel = (name: unknown): name is CallChannelName => typeof name === 'string' && callSet.has(name);

export const isEventChannel = (name: unknown): name is EventChannelName =>
  typeof name === 'string' && eventSet.has(name);
