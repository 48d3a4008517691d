import type { Workflow } from '../../../shared/contract';
import { formatRunShort } from '../../../shared/run-identity';
import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { SyncedWorkflowCanvas } from '../../components/workflow-canvas/ReadOnlyCanvas';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { hashFor, useNav, useRouteItem } from '../../stores/nav-store';
import { executionItem } from '../../stores/routes';
import { ConfirmButton } from '../instances/ConfirmButton';
import { ago, dateTime, duration } from '../instances/format';
import { useInstanceList } from '../instances/instances-store';
import '../instances/n8n-ui.css';

/** n8n 2.x publishes a version instead of activating the workflow; 1.x (and unknown) activates. */
const publishes = (w: Pick<Workflow, 'n8nVersion'>) => Number(/^(\d+)\./.exec(w.n8nVersion ?? '')?.[1] ?? 1) >= 2;

/** The state in the words of the instance's line: active/inactive (1.x), published/unpublished (2.x). */
export function stateLabel(w: Pick<Workflow, 'n8nVersion' | 'active' | 'archived'>): string {
  if (w.archived) return 'archived';
  if (publishes(w)) return w.active ? 'published' : 'unpublished';
  return w.active ? 'active' : 'inactive';
}

/**
 * Workflows across all instances: search and filters, details, activate/deactivate (1.x) or
 * publish/unpublish (2.x) with confirmation, and whether a saved draft differs from what runs.
 */
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
          <option value="">Live and stopped</option>
          <option value="true">Active / published only</option>
          <option value="false">Inactive / unpublished only</option>
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
                  <td data-testid="workflow-state">
                    {stateLabel(w)}
                    {w.draftDiffers && ' '}
                    {w.draftDiffers && (
                      <span
                        className="tag"
                        title="A newer version is saved in n8n but not published: runs use the published one"
                        data-testid="workflow-draft-differs"
                      >
                        draft differs
                      </span>
                    )}
                  </td>
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
  const two = publishes(w);
  const verb = w.active ? (two ? 'Unpublish' : 'Deactivate') : two ? 'Publish' : 'Activate';
  const draftOnly = w.draftWebhookPaths.filter((p) => !w.webhookPaths.includes(p));

  return (
    <aside className="panel" data-testid="workflow-detail" aria-label={`Workflow ${w.name}`}>
      <div className="page-head">
        <h2>{w.name}</h2>
        <button type="button" onClick={props.onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <p className="small muted">
        {props.instanceName}
        {w.n8nVersion ? ` (n8n ${w.n8nVersion})` : ''} · id {w.id} · saved version {w.versionId ?? '—'}
        {w.activeVersionId && w.activeVersionId !== w.versionId ? ` · published version ${w.activeVersionId}` : ''} ·
        updated {dateTime(w.updatedAtMs)} · synced {ago(w.syncedAtMs)}
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
      {w.draftDiffers && (
        <p className="small" role="note" data-testid="detail-draft-differs">
          A newer version is saved in n8n but not published: webhooks and triggers still run the published version
          {draftOnly.length > 0 && (
            <>
              {' '}
              (the draft would serve{' '}
              {draftOnly.map((p) => (
                <code key={p}>/webhook/{p} </code>
              ))}
              , which answers 404 until it is published)
            </>
          )}
          . Publish it here or in n8n when it is ready.
        </p>
      )}
      {w.webhookPaths.length > 0 && (
        <p className="small" data-testid="detail-webhooks">
          {w.active ? 'Served at' : 'Webhooks (served once live)'}:{' '}
          {w.webhookPaths.map((p) => (
            <code key={p}>/webhook/{p} </code>
          ))}
        </p>
      )}
      <div className="actions">
        <span data-testid="detail-state">{stateLabel(w).replace(/^./, (c) => c.toUpperCase())}</span>
        <ConfirmButton
          label={verb}
          danger={w.active}
          question={
            w.active
              ? `${verb} ${w.name}? Its triggers and webhooks stop answering.`
              : two
                ? `Publish ${w.name}? Its saved version goes live: triggers and webhooks start running it.`
                : `Activate ${w.name}? Its triggers and webhooks start running.`
          }
          onConfirm={() => setActive.mutateAsync({ instanceId, workflowId, active: !w.active })}
          channel="workflows:setActive"
          testId="workflow-toggle"
        />
        {w.draftDiffers && w.active && (
          <ConfirmButton
            label="Publish the saved version"
            question={`Publish the saved version of ${w.name}? It replaces the published one: webhooks and triggers run it from now on.`}
            onConfirm={() => setActive.mutateAsync({ instanceId, workflowId, active: true })}
            testId="workflow-publish-draft"
          />
        )}
      </div>
      <h3>Canvas</h3>
      <SyncedWorkflowCanvas instanceId={instanceId} workflowId={workflowId} name={w.name} />
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
