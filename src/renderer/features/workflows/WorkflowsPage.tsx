import { formatRunShort } from '../../../shared/run-identity';
import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { hashFor, useNav, useRouteItem } from '../../stores/nav-store';
import { executionItem } from '../../stores/routes';
import { ConfirmButton } from '../instances/ConfirmButton';
import { ago, dateTime, duration } from '../instances/format';
import { useInstanceList } from '../instances/instances-store';
import '../instances/n8n-ui.css';

/** Workflows across all instances: search and filters, details, activate/deactivate with confirmation. */
export function WorkflowsPage() {
  const { instances } = useInstanceList();
  const [search, setSearch] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [active, setActive] = useState<'' | 'true' | 'false'>('');
  const [tag, setTag] = useState('');
  // The open workflow is the URL's: #/workflows/<instance>/<workflow id>.
  const item = useRouteItem('workflows');
  const go = useNav((s) => s.go);
  const [selectedInstance, selectedWorkflow] = item ?? [];
  const selected =
    selectedInstance && selectedWorkflow ? { instanceId: selectedInstance, workflowId: selectedWorkflow } : null;
  const query = useCall(
    'workflows:list',
    {
      ...(search ? { search } : {}),
      ...(instanceId ? { instanceId } : {}),
      ...(active ? { active: active === 'true' } : {}),
      ...(tag ? { tag } : {}),
    },
    // Typing in the search keeps the last answer on screen until the next one arrives.
    { placeholderData: keepPreviousData },
  );
  const data = query.data;

  const tags = [...new Set((data?.workflows ?? []).flatMap((w) => w.tags))].sort();
  const instanceName = (id: string) => instances.find((i) => i.id === id)?.name ?? id;
  const filtered = Boolean(search || instanceId || active || tag);

  return (
    <section className="page" aria-labelledby="workflows-title">
      <div className="page-head">
        <h1 id="workflows-title">Workflows</h1>
        {data && (
          <span className="muted" data-testid="workflow-count">
            {data.total} workflows
          </span>
        )}
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder="Search by name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="workflow-search"
          aria-label="Search workflows"
        />
        <select
          value={instanceId}
          onChange={(e) => setInstanceId(e.target.value)}
          aria-label="Instance"
          data-testid="workflow-instance"
        >
          <option value="">All instances</option>
          {instances.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
        <select
          value={active}
          onChange={(e) => setActive(e.target.value as typeof active)}
          aria-label="Active"
          data-testid="workflow-active"
        >
          <option value="">Active and inactive</option>
          <option value="true">Active only</option>
          <option value="false">Inactive only</option>
        </select>
        <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Tag" data-testid="workflow-tag">
          <option value="">Any tag</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {query.isError && <LoadError what="workflows" error={query.error} retry={() => void query.refetch()} />}
      {!data && !query.isError && <p className="muted">Loading workflows…</p>}
      {data && data.workflows.length === 0 && (
        <EmptyState title={filtered ? 'No workflow matches' : 'No workflows yet'}>
          {filtered
            ? 'Change the search or the filters.'
            : 'Workflows appear here once an instance has been connected and synced (Instances → Sync now).'}
        </EmptyState>
      )}
      {data && data.workflows.length > 0 && (
        <div className={selected ? 'split' : ''}>
          <table className="table" data-testid="workflow-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Instance</th>
                <th>State</th>
                <th>Runs</th>
                <th>Last</th>
              </tr>
            </thead>
            <tbody>
              {data.workflows.map((w) => (
                <tr
                  key={`${w.instanceId}/${w.id}`}
                  className="clickable"
                  onClick={() => go('workflows', w.instanceId, w.id)}
                  aria-selected={selected?.instanceId === w.instanceId && selected.workflowId === w.id}
                  data-testid={`workflow-row-${w.name}`}
                >
                  <td>
                    {w.name}{' '}
                    {w.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>{instanceName(w.instanceId)}</td>
                  <td data-testid="workflow-state">{w.active ? 'active' : 'inactive'}</td>
                  <td>{w.executionCount}</td>
                  <td className={w.lastStatus ? `status-${w.lastStatus}` : 'muted'}>
                    {w.lastStatus ?? '—'}{' '}
                    {w.lastExecutionAtMs !== null && <span className="muted">{ago(w.lastExecutionAtMs)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {selected && (
            <WorkflowDetail
              key={`${selected.instanceId}/${selected.workflowId}`}
              {...selected}
              instanceName={instanceName(selected.instanceId)}
              baseUrl={instances.find((i) => i.id === selected.instanceId)?.baseUrl ?? null}
              onClose={() => go('workflows')}
            />
          )}
        </div>
      )}
    </section>
  );
}

function WorkflowDetail(props: {
  instanceId: string;
  workflowId: string;
  instanceName: string;
  baseUrl: string | null;
  onClose: () => void;
}) {
  const { instanceId, workflowId } = props;
  const query = useCall('workflows:get', { instanceId, workflowId });
  const setActive = useAction('workflows:setActive');
  if (query.isError)
    return (
      <aside className="panel" data-testid="workflow-detail">
        <LoadError what="this workflow" error={query.error} retry={() => void query.refetch()} />
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </aside>
    );
  const detail = query.data;
  if (!detail) return <div className="panel muted">Loading…</div>;
  const w = detail.workflow;

  return (
    <aside className="panel" data-testid="workflow-detail" aria-label={`Workflow ${w.name}`}>
      <div className="page-head">
        <h2>{w.name}</h2>
        <button type="button" onClick={props.onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <p className="small muted">
        {props.instanceName} · id {w.id} · version {w.versionId ?? '—'} · updated {dateTime(w.updatedAtMs)} · synced{' '}
        {ago(w.syncedAtMs)}
        {props.baseUrl && (
          <>
            {' · '}
            <a
              href={`${props.baseUrl.replace(/\/+$/, '')}/workflow/${encodeURIComponent(w.id)}`}
              target="_blank"
              rel="noreferrer"
              data-testid="open-in-n8n"
            >
              Open in n8n
            </a>
          </>
        )}
      </p>
      {w.webhookPaths.length > 0 && (
        <p className="small">
          Webhooks:{' '}
          {w.webhookPaths.map((p) => (
            <code key={p}>/webhook/{p} </code>
          ))}
        </p>
      )}
      <div className="actions">
        <span data-testid="detail-state">{w.active ? 'Active' : 'Inactive'}</span>
        <ConfirmButton
          label={w.active ? 'Deactivate' : 'Activate'}
          danger={w.active}
          question={
            w.active
              ? `Deactivate ${w.name}? Its triggers and webhooks stop answering.`
              : `Activate ${w.name}? Its triggers and webhooks start running.`
          }
          onConfirm={() => setActive.mutateAsync({ instanceId, workflowId, active: !w.active })}
          channel="workflows:setActive"
          testId="workflow-toggle"
        />
      </div>
      <h3>Nodes ({detail.nodes.length})</h3>
      <ul className="small" data-testid="workflow-nodes">
        {detail.nodes.map((n) => (
          <li key={n.name}>
            {n.name} <span className="muted">{n.type.replace(/^n8n-nodes-base\./, '')}</span>{' '}
            {n.disabled && <span className="tag">disabled</span>}
          </li>
        ))}
      </ul>
      <h3>Recent executions</h3>
      {detail.recentExecutions.length === 0 ? (
        <p className="muted small">No executions of this workflow synced yet.</p>
      ) : (
        <table className="table small" data-testid="workflow-executions">
          <tbody>
            {detail.recentExecutions.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={hashFor('executions', executionItem(e))} data-testid="workflow-execution-link">
                    {formatRunShort(e)}
                  </a>
                </td>
                <td className={`status-${e.status}`}>{e.status}</td>
                <td>{dateTime(e.startedAtMs ?? e.createdAtMs)}</td>
                <td>{duration(e.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
