import { useState } from 'react';
import { VARIABLE_NAME_PATTERN, VARIABLE_VALUE_MAX, type Variable } from '../../../shared/contract';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import styles from './Promote.module.css';

/** Why a row cannot be saved (the core checks the same and refuses). */
function rowProblem(row: Variable, rows: readonly Variable[]): string | null {
  if (!VARIABLE_NAME_PATTERN.test(row.name)) return 'Name: A–Z, 0–9 and _, starting with a letter (at most 64).';
  if (rows.filter((r) => r.name === row.name).length > 1) return `${row.name} is listed twice.`;
  if (row.value.length === 0) return 'A value is needed.';
  if (row.value.length > VARIABLE_VALUE_MAX) return `At most ${VARIABLE_VALUE_MAX} characters.`;
  return null;
}

function VariablesForm({
  instanceId,
  instanceName,
  initial,
  onSaved,
}: {
  instanceId: string;
  instanceName: string;
  initial: Variable[];
  onSaved: () => void;
}) {
  const [rows, setRows] = useState<Variable[]>(initial);
  const save = useAction('promotions:setVariables', { quiet: true, onSuccess: onSaved });
  const problems = rows.map((r) => rowProblem(r, rows));
  const dirty = JSON.stringify(rows) !== JSON.stringify(initial);
  const edit = (index: number, patch: Partial<Variable>) => {
    setRows(rows.map((r, i) => (i === index ? { ...r, ...patch } : r)));
    save.reset();
  };
  return (
    <div className={styles.variables} data-testid={`promote-variables-${instanceName}`}>
      <h3 className={styles.h3}>{instanceName}</h3>
      {rows.length === 0 && <p className="muted small">No variables.</p>}
      {rows.map((row, index) => (
        <div key={index} className={styles.variableRow}>
          <input
            aria-label={`Variable name ${index + 1} on ${instanceName}`}
            value={row.name}
            placeholder="API_BASE"
            onChange={(e) => edit(index, { name: e.target.value.toUpperCase() })}
            data-testid="variable-name"
          />
          <input
            aria-label={`Value of ${row.name || `variable ${index + 1}`} on ${instanceName}`}
            value={row.value}
            placeholder="https://…"
            onChange={(e) => edit(index, { value: e.target.value })}
            data-testid="variable-value"
          />
          <button
            type="button"
            onClick={() => {
              setRows(rows.filter((_, i) => i !== index));
              save.reset();
            }}
            aria-label={`Remove ${row.name || `variable ${index + 1}`} on ${instanceName}`}
          >
            Remove
          </button>
          {problems[index] && (row.name || row.value) && <span className={styles.errorText}>{problems[index]}</span>}
        </div>
      ))}
      <div className="row">
        <button type="button" onClick={() => setRows([...rows, { name: '', value: '' }])}>
          Add variable
        </button>
        <CanButton
          channel="promotions:setVariables"
          className="primary"
          disabled={!dirty || problems.some(Boolean) || save.isPending}
          onClick={() => save.mutate({ instanceId, variables: rows })}
          data-testid="variables-save"
        >
          {save.isPending ? 'Saving…' : 'Save variables'}
        </CanButton>
      </div>
      {save.error && (
        <p role="alert" className={styles.errorText}>
          {save.error.message}
        </p>
      )}
    </div>
  );
}

/**
 * One instance's variables: values that differ between instances (a base URL, a channel). A
 * promotion rewrites the source's value in string parameters to the target's value.
 */
export function VariablesEditor({
  instanceId,
  instanceName,
  onSaved,
}: {
  instanceId: string;
  instanceName: string;
  /** A plan made before is stale: what promote would write changed. */
  onSaved: () => void;
}) {
  const query = useCall('promotions:variables', { instanceId });
  if (query.isError)
    return (
      <LoadError what={`the variables of ${instanceName}`} error={query.error} retry={() => void query.refetch()} />
    );
  if (!query.data) return <p className="muted small">Loading…</p>;
  // Remounted when the stored set changes (saved here or elsewhere, or restored).
  return (
    <VariablesForm
      key={JSON.stringify(query.data.variables)}
      instanceId={instanceId}
      instanceName={instanceName}
      initial={query.data.variables}
      onSaved={onSaved}
    />
  );
}
