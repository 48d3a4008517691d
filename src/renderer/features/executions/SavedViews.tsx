import { useCallback, useEffect, useState } from 'react';
import type { CallOutput, ExecutionFilter } from '../../../shared/contract';
import { LoadError } from '../../components/LoadError';
import { callOrThrow, shownAsToast, useAction } from '../../data/calls';

/** Named filters: apply one, or save the current filter under a name. */
export function SavedViews(props: { current: ExecutionFilter; onApply(filter: ExecutionFilter): void }) {
  // Read once and after a save, not through useCall: runs: goes stale with every change of any
  // run, and the views do not change with runs.
  const [views, setViews] = useState<CallOutput<'runs:listViews'>>([]);
  const [error, setError] = useState<Error | null>(null);
  const reload = useCallback(
    () =>
      void callOrThrow('runs:listViews', {}).then(
        (v) => (setViews(v), setError(null)),
        (e: Error) => setError(e),
      ),
    [],
  );
  useEffect(reload, [reload]);
  const saveView = useAction('runs:saveView', { onSuccess: reload });

  const save = async () => {
    const name = window.prompt('Name this view');
    if (!name) return;
    await saveView.run({ name, filter: props.current });
  };
  if (error) return <LoadError what="the saved views" error={error} retry={reload} />;
  return (
    <span className="row">
      <select
        aria-label="Saved views"
        value=""
        onChange={(e) => {
          const view = views.find((v) => String(v.id) === e.target.value);
          if (view) props.onApply(view.filter);
        }}
        data-testid="saved-views"
      >
        <option value="">Saved views…</option>
        {views.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => void save().catch(shownAsToast)} data-testid="save-view">
        Save view
      </button>
    </span>
  );
}
