import type { QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { CanButton } from '../../components/Guarded';
import { StatusPill } from '../../components/StatusPill';
import { shownAsToast } from '../../data/calls';
import { offlineSince } from './format';
import { useQueue } from './queue-store';

type InstanceRow = QueueOverview['instances'][number];
type MappingRow = QueueOverview['mappings'][number];
type Counts = { waiting: number; delayed: number; active: number; dead_lettered: number };

function HealthBadge({ health }: { health: InstanceRow['health'] }) {
  if (!health) return <StatusPill tone="neutral">removed</StatusPill>;
  if (health.state === 'down')
    return (
      <span data-testid="queue-health" data-state="down">
        <StatusPill tone="danger" title={health.reason ?? ''}>
          Offline
        </StatusPill>
      </span>
    );
  if (health.state === 'up')
    return (
      <span data-testid="queue-health" data-state="up">
        <StatusPill tone="ok">Healthy</StatusPill>
      </span>
    );
  return (
    <span data-testid="queue-health" data-state="unknown">
      <StatusPill tone="neutral">Not checked yet</StatusPill>
    </span>
  );
}

/** What the operator is told after Pause/Resume of an instance or a mapping. */
const pausedNotice = (name: string, wasPaused: boolean) =>
  wasPaused ? `${name} resumed.` : `${name} paused: its queued runs wait until you resume it.`;

/** The depth columns both tables share (numbers, right-aligned, sortable). */
function countColumns<T extends { counts: Counts }>(): DataColumn<T>[] {
  const column = (id: keyof Counts, header: string): DataColumn<T> => ({
    id,
    header,
    accessorFn: (row) => row.counts[id],
    size: 100,
    sortDescFirst: true,
    cell: ({ row }) => <span className="num">{row.original.counts[id].toLocaleString()}</span>,
  });
  return [
    column('waiting', 'Waiting'),
    column('delayed', 'Delayed'),
    column('active', 'In flight'),
    column('dead_lettered', 'Dead letters'),
  ];
}

/** Depth, health and hold per instance, with Pause/Resume; Enter or a click narrows the job list. */
/** The Pause/Resume button of a group's row (instances and mappings alike); none for a removed one. */
function pauseColumn<T extends { removed?: boolean; paused: boolean }>(
  channel: 'queue:pause' | 'queue:pauseMapping',
  testId: string,
  toggle: (row: T) => Promise<void>,
): DataColumn<T> {
  return {
    id: 'actions',
    header: '',
    enableSorting: false,
    enableHiding: false,
    size: 100,
    cell: ({ row }) =>
      row.original.removed ? null : (
        <CanButton
          channel={channel}
          onClick={(e) => {
            e.stopPropagation();
            void toggle(row.original).catch(shownAsToast);
          }}
          data-testid={testId}
        >
          {row.original.paused ? 'Resume' : 'Pause'}
        </CanButton>
      ),
  };
}

export function InstancesTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const scope = useQueue((s) => s.scope);
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resume' : 'queue:pause', { instanceId: id, reason: 'from the Queue area' });
    onNotice(pausedNotice(name, paused));
  };
  const columns: DataColumn<InstanceRow>[] = [
    {
      id: 'name',
      header: 'Instance',
      accessorFn: (i) => i.name.toLowerCase(),
      size: 170,
      cell: ({ row }) => (
        <span>
          <strong>{row.original.name}</strong>
          {row.original.paused && <span className="tag queue-paused">paused</span>}
        </span>
      ),
    },
    {
      id: 'health',
      header: 'Health',
      accessorFn: (i) => i.health?.state ?? 'removed',
      size: 130,
      cell: ({ row }) => <HealthBadge health={row.original.health} />,
    },
    ...countColumns<InstanceRow>(),
    {
      id: 'hold',
      header: 'Hold',
      accessorFn: (i) => i.hold?.sinceMs ?? 0,
      size: 320,
      cell: ({ row }) => {
        const i = row.original;
        if (!i.hold) return <span className="muted">—</span>;
        const text = `Runs waiting for ${i.name} (${offlineSince(i.hold.sinceMs)}): ${i.hold.reason}. No attempts are spent meanwhile.`;
        return (
          <span className="queue-hold small" title={text} data-testid="queue-hold">
            {text}
          </span>
        );
      },
    },
    pauseColumn<InstanceRow>('queue:pause', 'queue-instance-pause', (i) => toggle(i.instanceId, i.name, i.paused)),
  ];
  return (
    <>
      <h2 className="queue-h2">By instance</h2>
      <div className="queue-table">
        <DataTable
          storageKey="queue-instances"
          label="Queue by instance"
          testId="queue-instances"
          columns={columns}
          data={overview.instances}
          rowId={(i) => i.instanceId}
          openId={scope.instanceId}
          onOpen={(i) => useQueue.getState().setScope({ instanceId: i.instanceId, mappingId: null })}
          rowAttributes={(i) => ({ 'data-testid': `queue-instance-${i.name}` })}
          height="240px"
        />
      </div>
    </>
  );
}

/** Depth per mapping, with Pause/Resume; Enter or a click narrows the job list. */
export function MappingsTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const scope = useQueue((s) => s.scope);
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resumeMapping' : 'queue:pauseMapping', { mappingId: id, reason: 'from the Queue area' });
    onNotice(pausedNotice(name, paused));
  };
  if (overview.mappings.length === 0) return null;
  const columns: DataColumn<MappingRow>[] = [
    {
      id: 'name',
      header: 'Mapping',
      accessorFn: (m) => m.name.toLowerCase(),
      size: 240,
      cell: ({ row }) => {
        const m = row.original;
        return (
          <span>
            <strong>{m.name}</strong>
            {m.event && m.event !== m.name && <span className="muted small"> · {m.event}</span>}
            {m.paused && <span className="tag queue-paused">paused</span>}
          </span>
        );
      },
    },
    {
      id: 'instance',
      header: 'Instance',
      accessorFn: (m) => m.instanceName ?? '',
      size: 140,
      cell: ({ row }) => row.original.instanceName ?? '—',
    },
    ...countColumns<MappingRow>(),
    pauseColumn<MappingRow>('queue:pauseMapping', 'queue-mapping-pause', (m) => toggle(m.mappingId, m.name, m.paused)),
  ];
  return (
    <>
      <h2 className="queue-h2">By mapping</h2>
      <div className="queue-table">
        <DataTable
          storageKey="queue-mappings"
          label="Queue by mapping"
          testId="queue-mappings"
          columns={columns}
          data={overview.mappings}
          rowId={(m) => m.mappingId}
          openId={scope.mappingId}
          onOpen={(m) => useQueue.getState().setScope({ mappingId: m.mappingId, instanceId: null })}
          rowAttributes={(m) => ({ 'data-testid': `queue-mapping-${m.name}` })}
          height="240px"
        />
      </div>
    </>
  );
}

export function GroupTables(props: { overview: QueueOverview; onNotice(text: string): void }) {
  return (
    <>
      <InstancesTable {...props} />
      <MappingsTable {...props} />
    </>
  );
}
