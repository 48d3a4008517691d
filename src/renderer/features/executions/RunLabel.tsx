import { useCallback } from 'react';
import { runIdentity, type InstanceNamer, type RunIdentityFields } from '../../../shared/run-identity';
import { useInstanceList } from '../instances/instances-store';

/** Instance id → its name, from the instances cache (null while unknown): the formatter's namer. */
export function useInstanceNamer(): (instanceId: string | null) => string | null {
  const { instances } = useInstanceList();
  return useCallback((id: string | null) => instances.find((i) => i.id === id)?.name ?? null, [instances]);
}

/**
 * A run's number as every view shows it (src/shared/run-identity.ts): `FD-29 → n8n #812 on prod`,
 * the run's own number in bold. `withInstance` off where a column already names the instance.
 */
export function RunLabel(props: {
  run: RunIdentityFields;
  instanceName?: InstanceNamer;
  withInstance?: boolean;
  testId?: string;
}) {
  const id = runIdentity(props.run, props.instanceName);
  return (
    <span className="run-label" title={id.text} data-testid={props.testId ?? 'run-label'} data-run={id.text}>
      <strong>{id.primary}</strong>
      {id.linked && <span className="run-linked"> → {id.linked}</span>}
      {/* As the formatter's text: the instance goes with an n8n number (a local number is unique). */}
      {props.withInstance !== false && id.instance && (id.linked || props.run.source === 'remote') && (
        <span className="muted"> on {id.instance}</span>
      )}
    </span>
  );
}
