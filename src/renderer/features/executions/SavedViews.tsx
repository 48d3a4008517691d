import type { ExecutionFilter } from '../../../shared/contract';
import { LoadError } from '../../components/LoadError';
import { shownAsToast, useAction, useCall } from '../../data/calls';

/** Named filters: apply one, or save the current filter under a name. */
export function SavedViews(props: { current: ExecutionFilter; onApply(filter: ExecutionFilter): void }) {
  // A saved view marks runs: stale (useAction), so the list below refetches by itself.
  const views = useCall('runs:listViews', {});
  const saveView = useAction('runs:saveView');

  const save = async () => {
    const name = window.prompt('Name this view');
    if (!name) return;
    await saveView.run({ name, filter: props.current });
  };
  if (views.isError) return <LoadError what="the saved views" error={views.error} retry={() => void views.refetch()} />;
  return (
    <span className="row">
      <select
        aria-label="Saved views"
        value=""
        onChange={(e) => {
          const view = views.data?.find((v) => String(v.id) === e.target.value);
          if (view) props.onApply(view.filter);
        }}
        data-testid="saved-views"
      >
        <option value="">Saved views…</option>
        {(views.data ?? []).map((v) => (
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
