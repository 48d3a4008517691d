import { useEffect, useState } from 'react';
import type { ExecutionFilter } from '../../../shared/contract';
import { send } from '../../api/client';

type View = { id: number; name: string; filter: ExecutionFilter };

/** Named filters: apply one, or save the current filter under a name. */
export function SavedViews(props: { current: ExecutionFilter; onApply(filter: ExecutionFilter): void }) {
  const [views, setViews] = useState<View[]>([]);
  const reload = () => void send('runs:listViews', {}).then(setViews, () => undefined);
  useEffect(reload, []);

  const save = async () => {
    const name = window.prompt('Name this view');
    if (!name) return;
    await send('runs:saveView', { name, filter: props.current });
    reload();
  };
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
      <button type="button" onClick={() => void save().catch(() => undefined)} data-testid="save-view">
        Save view
      </button>
    </span>
  );
}
