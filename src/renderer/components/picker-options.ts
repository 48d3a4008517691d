import { useEffect } from 'react';
import { create } from 'zustand';
import type { PickerOptions } from '../../shared/contract';
import { api, sendCatch } from '../api/client';
import type { PickerOption } from './Picker';

interface PickerOptionsState {
  options: PickerOptions | null;
  /** What went wrong on the last load, in words (the pickers say so instead of showing an empty list). */
  error: string | null;
  load(): Promise<void>;
}

/**
 * What every picker offers (instances, synced workflows, mappings, events seen), loaded once and
 * reloaded when the core announces a change. Interim: moves onto the shared query layer once it
 * lands (src/renderer/data/).
 */
export const usePickerStore = create<PickerOptionsState>((set) => ({
  options: null,
  error: null,
  async load() {
    const result = await sendCatch('pickers:options', {});
    if (result.ok) set({ options: result.data, error: null });
    else set({ error: result.error.message });
  },
}));

let following = false;
function follow() {
  if (following) return;
  following = true;
  const reload = () => void usePickerStore.getState().load();
  for (const event of ['instances:changed', 'instances:removed', 'workflows:changed', 'mappings:changed'] as const) {
    api.on(event, reload);
  }
  api.onConnection((state) => state === 'connected' && reload());
  reload();
}

/** The pickers' options (null until the first load). */
export function usePickerOptions(): PickerOptionsState {
  useEffect(follow, []);
  return usePickerStore();
}

const ago = (ms: number | null) => {
  if (ms === null) return 'never';
  const minutes = Math.round((Date.now() - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
};

export function instanceChoices(options: PickerOptions | null): PickerOption[] {
  return (options?.instances ?? []).map((i) => ({
    value: i.id,
    label: i.name,
    tag: i.environment,
    detail: i.syncState === 'never' ? 'not synced yet' : `synced ${ago(i.lastSyncAtMs)}`,
  }));
}

/** Workflows of one instance (all when instanceId is null), live first. */
export function workflowChoices(options: PickerOptions | null, instanceId: string | null): PickerOption[] {
  const names = new Map((options?.instances ?? []).map((i) => [i.id, i.name]));
  return (options?.workflows ?? [])
    .filter((w) => instanceId === null || w.instanceId === instanceId)
    .sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name))
    .map((w) => ({
      value: instanceId === null ? `${w.instanceId}/${w.id}` : w.id,
      label: w.name,
      tag: w.active ? 'live' : 'inactive',
      tone: w.active ? ('ok' as const) : ('muted' as const),
      detail: [
        instanceId === null ? names.get(w.instanceId) : undefined,
        w.webhookPaths.length ? w.webhookPaths.map((p) => `/webhook/${p}`).join('  ') : 'no webhook',
      ]
        .filter(Boolean)
        .join(' · '),
      keywords: `${w.id} ${w.webhookPaths.join(' ')}`,
    }));
}

/** The webhook paths of an instance's workflows (the chosen workflow's first), as path suggestions. */
export function webhookPathChoices(
  options: PickerOptions | null,
  instanceId: string | null,
  workflowId: string | null,
): PickerOption[] {
  const workflows = (options?.workflows ?? []).filter((w) => w.instanceId === instanceId);
  const ordered = [
    ...workflows.filter((w) => w.id === workflowId),
    ...workflows.filter((w) => w.id !== workflowId).sort((a, b) => Number(b.active) - Number(a.active)),
  ];
  return ordered.flatMap((w) =>
    w.webhookPaths.map((p) => ({
      value: p,
      label: p,
      detail: w.name,
      tag: w.active ? 'live' : 'inactive',
      tone: w.active ? ('ok' as const) : ('muted' as const),
    })),
  );
}

export function mappingChoices(options: PickerOptions | null): PickerOption[] {
  const names = new Map((options?.instances ?? []).map((i) => [i.id, i.name]));
  return (options?.mappings ?? []).map((m) => ({
    value: m.id,
    label: m.name,
    tag: m.active ? undefined : 'off',
    tone: 'muted' as const,
    detail: `${m.event} → ${names.get(m.instanceId) ?? 'removed instance'} /webhook/${m.webhookPath}`,
    keywords: m.id,
  }));
}

export function eventChoices(options: PickerOptions | null): PickerOption[] {
  return (options?.events ?? []).map((e) => ({
    value: e.name,
    label: e.name,
    tag: e.mapped ? 'mapped' : undefined,
    tone: 'ok' as const,
    detail: e.runs ? `${e.runs} run${e.runs === 1 ? '' : 's'}, last ${ago(e.lastSeenAtMs)}` : 'no runs yet',
  }));
}

/** Names for ids the core returns: "prod", "Customer updated"; never a bare id when the name is known. */
export function namer(options: PickerOptions | null) {
  const instances = new Map((options?.instances ?? []).map((i) => [i.id, i.name]));
  const workflows = new Map((options?.workflows ?? []).map((w) => [`${w.instanceId}/${w.id}`, w.name]));
  const mappings = new Map((options?.mappings ?? []).map((m) => [m.id, m.name]));
  return {
    instance: (id: string | null | undefined) => (id ? (instances.get(id) ?? 'removed instance') : '—'),
    workflow: (instanceId: string | null | undefined, id: string | null | undefined) =>
      id ? (workflows.get(`${instanceId ?? ''}/${id}`) ?? `workflow ${id}`) : '—',
    mapping: (id: string | null | undefined) => (id ? (mappings.get(id) ?? 'removed mapping') : '—'),
  };
}
