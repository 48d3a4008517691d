import { useState } from 'react';
import type { ApprovalFilter } from '../../../shared/contract';
import { useAction, useCall } from '../../data/calls';
import { useApprovals } from './approvals-store';

const STATUSES: [ApprovalFilter['status'], string][] = [
  ['open', 'Open'],
  ['decided', 'Decided'],
  ['approved', 'Approved'],
  ['rejected', 'Rejected'],
  ['expired', 'Expired'],
  ['all', 'All'],
];

/** Filters and saved views of the inbox. */
export function InboxFilters() {
  const { filter, setFilter } = useApprovals();
  const viewsQuery = useCall('approvals:listViews', {});
  const views = viewsQuery.data ?? [];
  const save = useAction('approvals:saveView');
  // Naming a view opens on demand, so the filter bar stays one line.
  const [naming, setNaming] = useState(false);
  const [viewName, setViewName] = useState('');
  const patch = (p: Partial<ApprovalFilter>) => {
    const next: ApprovalFilter = { ...filter, ...p };
    for (const key of Object.keys(next) as (keyof ApprovalFilter)[]) if (next[key] === undefined) delete next[key];
    setFilter(next);
  };
  const saveView = async () => {
    if (!viewName.trim()) return;
    if (await save.run({ name: viewName.trim(), filter })) {
      setViewName('');
      setNaming(false);
    }
  };

  return (
    <div className="toolbar" data-testid="inbox-filters">
      <select
        aria-label="Saved view"
        value=""
        onChange={(e) => {
          const view = views.find((v) => v.id === e.target.value);
          if (view) setFilter(view.filter);
        }}
        data-testid="view-select"
      >
        <option value="">
          {viewsQuery.isError
            ? 'Saved views could not be loaded'
            : viewsQuery.data === undefined
              ? 'Loading saved views…'
              : views.length
                ? 'Saved views…'
                : 'No saved views'}
        </option>
        {views.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
      <select
        aria-label="Status"
        value={filter.status}
        onChange={(e) => patch({ status: e.target.value as ApprovalFilter['status'] })}
        data-testid="filter-status"
      >
        {STATUSES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <select
        aria-label="Kind"
        title="Gates hold a run of Flightdeck before it is sent; n8n waits are executions paused in n8n"
        value={filter.kind ?? ''}
        onChange={(e) => patch({ kind: (e.target.value || undefined) as ApprovalFilter['kind'] })}
      >
        <option value="">Any kind</option>
        <option value="gate">Gates</option>
        <option value="wait">n8n waits</option>
      </select>
      <select
        aria-label="Priority"
        value={filter.maxPriority ?? ''}
        onChange={(e) => patch({ maxPriority: e.target.value === '' ? undefined : Number(e.target.value) })}
      >
        <option value="">Any priority</option>
        <option value="2">High only</option>
        <option value="6">High and normal</option>
      </select>
      <select
        aria-label="Assignee"
        value={filter.assignee ?? ''}
        onChange={(e) => patch({ assignee: e.target.value || undefined })}
      >
        <option value="">Anyone</option>
        <option value="me">Claimed by me</option>
        <option value="none">Unclaimed</option>
      </select>
      <label className="radio">
        <input
          type="checkbox"
          checked={filter.overdue ?? false}
          onChange={(e) => patch({ overdue: e.target.checked || undefined })}
        />
        Overdue
      </label>
      <input
        type="search"
        placeholder="Search summary or event"
        aria-label="Search"
        className="inbox-search"
        value={filter.text ?? ''}
        onChange={(e) => patch({ text: e.target.value || undefined })}
        maxLength={200}
        data-testid="filter-text"
      />
      {naming ? (
        <>
          <input
            placeholder="Name this view"
            aria-label="View name"
            value={viewName}
            autoFocus
            onChange={(e) => setViewName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void saveView();
              if (e.key === 'Escape') setNaming(false);
            }}
            maxLength={60}
            data-testid="view-name"
          />
          <button
            type="button"
            disabled={!viewName.trim() || save.isPending}
            onClick={() => void saveView()}
            data-testid="view-save"
          >
            Save
          </button>
          <button type="button" onClick={() => setNaming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setNaming(true)} data-testid="view-new">
          Save view…
        </button>
      )}
      {viewsQuery.isError && (
        <button
          type="button"
          onClick={() => void viewsQuery.refetch()}
          title={`Could not load the saved views: ${viewsQuery.error.message}`}
          data-testid="views-retry"
        >
          Retry loading views
        </button>
      )}
    </div>
  );
}
