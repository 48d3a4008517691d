import type { PickerOptions } from '../../shared/contract';
import { useCall } from '../data/calls';
import type { PickerOption } from './Picker';

/**
 * What every picker offers (instances, synced workflows, mappings, events seen): one query, kept
 * fresh by the core's events (data/follow-core.ts marks `pickers:` stale). `options` is null until
 * the first answer; `error` says why a load failed, so a picker never passes off a failure as empty.
 */
export function usePickerOptions(): { options: PickerOptions | null; error: string | null } {
  const query = useCall('pickers:options', {});
  return { options: query.data ?? null, error: query.error ? query.error.message : null };
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
