import type { Workflow } from '../../../shared/contract';
import { formatRunShort } from '../../../shared/run-identity';
import { keepPreviousData } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { DataTable, DetailSplit, type DataColumn } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { SyncedWorkflowCanvas } from '../../components/workflow-canvas/ReadOnlyCanvas';
import { LoadError } from '../../components/LoadError';
import { StatusPill } from '../../components/StatusPill';
import { useAction, useCall } from '../../data/calls';
import { hashFor, useNav, useRouteItem } from '../../stores/nav-store';
import { executionItem } from '../../stores/routes';
import { ConfirmButton } from '../instances/ConfirmButton';
import { PromotePage } from '../promote/PromotePage';
import { ago, dateTime, duration } from '../instances/format';
import { useInstanceList } from '../instances/instances-store';
import '../instances/n8n-ui.css';
import { RUN_STATUS } from './run-status';

/** n8n 2.x publishes a version instead of activating the workflow; 1.x (and unknown) activates. */
const publishes = (w: Pick<Workflow, 'n8nVersion'>) => Number(/^(\d+)\./.exec(w.n8nVersion ?? '')?.[1] ?? 1) >= 2;

/** The state in the words of the instance's line: active/inactive (1.x), published/unpublished (2.x). */
export function stateLabel(w: Pick<Workflow, 'n8nVersion' | 'active' | 'archived'>): string {
  if (w.archived) return 'archived';
  if (publishes(w)) return w.active ? 'published' : 'unpublished';
  return w.active ? 'active' : 'inactive';
}

/** The workflow list's columns; every one sorts, the tags ride along with the name. */
function workflowColumns(instanceName: (id: string) => string): DataColumn<Workflow>[] {
  return [
    {
      id: 'name',
      header: 'Name',
      accessorFn: (w) => w.name.toLowerCase(),
      size: 260,
      cell: ({ row }) => (
        <span title={`id ${row.original.id}`}>
          {row.original.name}{' '}
          {row.original.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </span>
      ),
    },
    { id: 'instance', header: 'Instance', accessorFn: (w) => instanceName(w.instanceId), size: 130 },
    {
      id: 'state',
      header: 'State',
      accessorFn: (w) => stateLabel(w),
      size: 190,
      cell: ({ row }) => {
        const w = row.original;
        return (
          <span data-testid="workflow-state">
            <StatusPill tone={w.archived ? 'neutral' : w.active ? 'ok' : 'neutral'} value={stateLabel(w)}>
              {stateLabel(w)}
            </StatusPill>
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
          </span>
        );
      },
    },
    {
      id: 'runs',
      header: 'Runs',
      accessorFn: (w) => w.executionCount,
      size: 80,
      cell: ({ row }) => <span className="num">{row.original.executionCount.toLocaleString()}</span>,
    },
    {
      id: 'last',
      header: 'Last run',
      accessorFn: (w) => w.lastStatus ?? '',
      size: 150,
      cell: ({ row }) => {
        const status = row.original.lastStatus;
        if (!status) return <span className="muted">never</span>;
        const words = RUN_STATUS[status];
        return (
          <StatusPill tone={words.tone} title={words.title} value={status} testId="workflow-last-status">
            {words.words}
          </StatusPill>
        );
      },
    },
    {
      id: 'lastAt',
      header: 'Last run at',
      accessorFn: (w) => w.lastExecutionAtMs ?? 0,
      size: 120,
      cell: ({ row }) =>
        row.original.lastExecutionAtMs === null ? (
          <span className="muted">—</span>
        ) : (
          <span title={dateTime(row.original.lastExecutionAtMs)}>{ago(row.original.lastExecutionAtMs)}</span>
        ),
    },
    {
      id: 'updated',
      header: 'Updated',
      accessorFn: (w) => w.updatedAtMs,
      size: 160,
      cell: ({ row }) => dateTime(row.original.updatedAtMs),
    },
  ];
}

/**
 * Workflows across all instances: search and filters, details, activate/deactivate (1.x) or
 * publish/unpublish (2.x) with confirmation, and whether a saved draft differs from what runs.
 */
export function WorkflowsPage() {
  // #/workflows/promote: promotion between instances (features/promote).
  const item = useRouteItem('workflows');
  if (item?.length === 1 && item[0] === 'promote') return <PromotePage />;
  return <WorkflowList item={item} />;
}

function WorkflowList({ item }: { item: readonly string[] | null }) {
  const { instances } = useInstanceList();
  const [search, setSearch] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [active, setActive] = useState<'' | 'true' | 'false'>('');
  const [tag, setTag] = useState('');
  // The open workflow is the URL's: #/workflows/<instance>/<workflow id>.
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
  const columns = useMemo(() => workflowColumns(instanceName), [instances]);

  return (
    <section className="page" aria-labelledby="workflows-title">
      <div className="page-head">
        <h1 id="workflows-title">Workflows</h1>
        <div className="row">
          {data && (
            <span className="muted" data-testid="workflow-count">
              {data.total} workflows
            </span>
          )}
          <button type="button" onClick={() => go('workflows', 'promote')} data-testid="open-promote">
            Promote between instances…
          </button>
        </div>
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
        <DetailSplit
          storageKey="workflows"
          detail={
            selected && (
              <WorkflowDetail
                key={`${selected.instanceId}/${selected.workflowId}`}
                {...selected}
                instanceName={instanceName(selected.instanceId)}
                baseUrl={instances.find((i) => i.id === selected.instanceId)?.baseUrl ?? null}
                onClose={() => go('workflows')}
              />
            )
          }
        >
          <DataTable
            storageKey="workflows"
            label="Workflows"
            testId="workflow-table"
            columns={columns}
            data={data.workflows}
            rowId={(w) => `${w.instanceId}/${w.id}`}
            openId={selected ? `${selected.instanceId}/${selected.workflowId}` : null}
            onOpen={(w) => go('workflows', w.instanceId, w.id)}
            onClose={() => go('workflows')}
            rowAttributes={(w) => ({ 'data-testid': `workflow-row-${w.name}` })}
            defaultHidden={['updated']}
            height="calc(100vh - 240px)"
          />
        </DetailSplit>
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
  const go = useNav((s) => s.go);
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
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th>Started</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {detail.recentExecutions.map((e) => {
              const words = RUN_STATUS[e.status];
              return (
                <tr
                  key={e.id}
                  className="clickable"
                  // The whole row opens the run; the link inside is the keyboard's way (and copyable).
                  onClick={() => go('executions', executionItem(e))}
                  data-testid="workflow-execution"
                >
                  <td>
                    <a
                      href={hashFor('executions', executionItem(e))}
                      onClick={(ev) => ev.stopPropagation()}
                      data-testid="workflow-execution-link"
                    >
                      {formatRunShort(e)}
                    </a>
                  </td>
                  <td>
                    <StatusPill tone={words.tone} title={words.title} value={e.status}>
                      {words.words}
                    </StatusPill>
                  </td>
                  <td>{dateTime(e.startedAtMs ?? e.createdAtMs)}</td>
                  <td>{duration(e.durationMs)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </aside>
  );
}
