import type { QueueOverview } from '../../../shared/contract';

/** A confirmation the Queue area is waiting for. */
export type Pending =
  | { kind: 'cancel'; ids: number[] }
  | { kind: 'purge'; state: 'dead_lettered' | 'completed' | 'canceled'; count: number };

export const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && t.closest('input, textarea, select, dialog, [contenteditable]') !== null;

export const stateWords = (state: 'dead_lettered' | 'completed' | 'canceled') =>
  state === 'dead_lettered' ? 'dead letters' : state === 'completed' ? 'completed jobs' : 'canceled jobs';

/** What a purge or list covers, in words. */
export function scopeWords(overview: QueueOverview, instanceId: string | null, mappingId: string | null): string {
  if (mappingId) return `Mapping ${overview.mappings.find((m) => m.mappingId === mappingId)?.name ?? '(removed)'}`;
  if (instanceId) return `Instance ${overview.instances.find((i) => i.instanceId === instanceId)?.name ?? '(removed)'}`;
  return 'Every instance and mapping';
}
