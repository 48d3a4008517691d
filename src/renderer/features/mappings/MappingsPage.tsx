import { useEffect, useMemo } from 'react';
import type { Mapping } from '../../../shared/contract';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { namer, usePickerOptions } from '../../components/picker-options';
import { downloadText } from '../../files';
import { useInstanceList } from '../instances/instances-store';
import { hashFor, useNav, useRouteItem } from '../../stores/nav-store';
import { ImportMappings } from './ImportMappings';
import { MappingEditor } from './MappingEditor';
import { CanButton, RoleNote } from '../../components/Guarded';
import { useCan } from '../../stores/auth-store';

/** Mappings: which of your events reach which n8n workflow, and how. `n` starts a new one. */
export function MappingsPage() {
  // Kept fresh by `mappings:changed` (data/follow-core.ts); a failed load shows LoadError with Retry.
  const query = useCall('mappings:list', {});
  const mappings = query.data ?? null;
  const { instances } = useInstanceList();
  const { options } = usePickerOptions();
  const columns = useMemo<DataColumn<Mapping>[]>(() => {
    const names = namer(options);
    const instanceName = (id: string) => instances.find((i) => i.id === id)?.name ?? 'removed instance';
    return [
      {
        id: 'event',
        header: 'Event',
        accessorFn: (m) => m.event,
        cell: (c) => <code>{c.row.original.event}</code>,
        size: 180,
      },
      { id: 'label', header: 'Label', accessorFn: (m) => m.name, size: 180 },
      { id: 'instance', header: 'Instance', accessorFn: (m) => instanceName(m.instanceId), size: 130 },
      {
        id: 'workflow',
        header: 'Workflow',
        accessorFn: (m) => (m.workflowId ? names.workflow(m.instanceId, m.workflowId) : '—'),
        size: 180,
      },
      {
        id: 'path',
        header: 'Webhook',
        accessorFn: (m) => m.webhookPath,
        cell: (c) => <code>{c.row.original.webhookPath}</code>,
        size: 180,
      },
      { id: 'priority', header: 'Priority', accessorFn: (m) => m.priority, size: 80 },
      {
        id: 'status',
        header: 'Status',
        accessorFn: (m) => `${m.active ? 'Active' : 'Off'}${m.requiresApproval ? ' · needs approval' : ''}`,
        size: 190,
      },
    ];
  }, [instances, options]);
  // The mapping being edited is the URL's: #/mappings/<id>, #/mappings/new.
  const editing = useRouteItem('mappings')?.[0] ?? null;
  const go = useNav((s) => s.go);
  const setEditing = (id: string | null) => (id === null ? go('mappings') : go('mappings', id));
  // Team mode: `n` does nothing for a role that may not create mappings (the button says why).
  const mayCreate = useCan('mappings:create').ok;
  useEffect(() => {
    if (!mayCreate) return;
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, dialog');
      if (e.key === 'n' && !typing && !e.altKey && !e.ctrlKey && !e.metaKey) setEditing('new');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mayCreate]);

  const exporter = useAction('mappings:export');
  const exportAll = async () => {
    const doc = await exporter.run({});
    if (!doc) return; // the toast says why
    downloadText(
      `flightdeck-mappings-${new Date(doc.exportedAtMs).toISOString().slice(0, 10)}.json`,
      JSON.stringify(doc, null, 2),
    );
  };

  if (editing) {
    if (editing !== 'new' && mappings === null)
      return (
        <section className="page">
          <Loaded query={query} what="the mappings">
            {() => null}
          </Loaded>
        </section>
      );
    const mapping = editing === 'new' ? null : (mappings?.find((m) => m.id === editing) ?? null);
    if (editing !== 'new' && !mapping)
      return (
        <section className="page">
          <h1>Mappings</h1>
          <EmptyState title="No such mapping">
            It may have been removed. <a href={hashFor('mappings')}>See all mappings</a>.
          </EmptyState>
        </section>
      );
    return (
      <section className="page">
        <MappingEditor key={editing} mapping={mapping} onDone={() => setEditing(null)} />
      </section>
    );
  }
  return (
    <section className="page">
      <h1>Mappings</h1>
      <RoleNote channel="mappings:create" doing="changing mappings" />
      <div className="toolbar">
        <CanButton
          channel="mappings:create"
          className="primary"
          onClick={() => setEditing('new')}
          title="New mapping (n)"
          data-testid="m-new"
        >
          New mapping
        </CanButton>
        <ImportMappings />
        <button
          type="button"
          onClick={() => void exportAll()}
          disabled={!mappings?.length || exporter.isPending}
          data-testid="m-export"
        >
          Export all
        </button>
      </div>
      <Loaded query={query} what="the mappings">
        {(mappings) =>
          mappings.length === 0 ? (
            <EmptyState title="No mappings yet">
              A mapping routes one of your events (say <code>order.created</code>) to an n8n workflow&apos;s webhook.
              Press <kbd>n</kbd> or choose New mapping; or import a file exported from another console.
            </EmptyState>
          ) : (
            <DataTable
              storageKey="mappings"
              label="Mappings"
              testId="mappings-table"
              columns={columns}
              data={mappings}
              rowId={(m) => m.id}
              onOpen={(m) => setEditing(m.id)}
              height="min(70vh, 640px)"
            />
          )
        }
      </Loaded>
    </section>
  );
}
