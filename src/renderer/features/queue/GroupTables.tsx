import type { QueueOverview } from '../../../shared/contract';
import { send } from '../../api/client';
import { shownAsToast } from '../../data/calls';
import { offlineSince } from './format';
import { useQueue } from './queue-store';
import { CanButton } from '../../components/Guarded';

function HealthBadge({ health }: { health: QueueOverview['instances'][number]['health'] }) {
  if (!health) return <span className="health health-never">removed</span>;
  if (health.state === 'down')
    return (
      <span className="health health-offline" data-testid="queue-health" data-state="down" title={health.reason ?? ''}>
        Offline
      </span>
    );
  if (health.state === 'up')
    return (
      <span className="health health-ok" data-testid="queue-health" data-state="up">
        Healthy
      </span>
    );
  return (
    <span className="health health-never" data-testid="queue-health" data-state="unknown">
      Not checked yet
    </span>
  );
}

/** What the operator is told after Pause/Resume of an instance or a mapping. */
const pausedNotice = (name: string, wasPaused: boolean) =>
  wasPaused ? `${name} resumed.` : `${name} paused: its queued runs wait until you resume it.`;

/** The depth columns both tables share. */
function CountHeads() {
  return (
    <>
      <th className="num">Waiting</th>
      <th className="num">Delayed</th>
      <th className="num">In flight</th>
      <th className="num">Dead letters</th>
    </>
  );
}

function CountCells({
  counts,
}: {
  counts: { waiting: number; delayed: number; active: number; dead_lettered: number };
}) {
  return (
    <>
      <td className="num">{counts.waiting}</td>
      <td className="num">{counts.delayed}</td>
      <td className="num">{counts.active}</td>
      <td className="num">{counts.dead_lettered}</td>
    </>
  );
}

/** Depth, health and hold per instance, with Pause/Resume; a click narrows the job list. */
export function InstancesTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resume' : 'queue:pause', { instanceId: id, reason: 'from the Queue area' });
    onNotice(pausedNotice(name, paused));
  };
  return (
    <>
      <h2 className="queue-h2">By instance</h2>
      <table className="table queue-table" data-testid="queue-instances">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Health</th>
            <CountHeads />
            <th />
          </tr>
        </thead>
        <tbody>
          {overview.instances.map((i) => (
            <tr
              key={i.instanceId}
              data-testid={`queue-instance-${i.name}`}
              onClick={() => useQueue.getState().setScope({ instanceId: i.instanceId, mappingId: null })}
            >
              <td>
                <strong>{i.name}</strong>
                {i.paused && <span className="tag queue-paused">paused</span>}
                {i.hold && (
                  <div className="queue-hold small" data-testid="queue-hold">
                    Runs waiting for {i.name} ({offlineSince(i.hold.sinceMs)}): {i.hold.reason}. No attempts are spent
                    meanwhile.
                  </div>
                )}
              </td>
              <td>
                <HealthBadge health={i.health} />
              </td>
              <CountCells counts={i.counts} />
              <td className="actions-cell">
                {!i.removed && (
                  <CanButton
                    channel="queue:pause"
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggle(i.instanceId, i.name, i.paused).catch(shownAsToast);
                    }}
                    data-testid="queue-instance-pause"
                  >
                    {i.paused ? 'Resume' : 'Pause'}
                  </CanButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Depth per mapping, with Pause/Resume; a click narrows the job list. */
export function MappingsTable({ overview, onNotice }: { overview: QueueOverview; onNotice(text: string): void }) {
  const toggle = async (id: string, name: string, paused: boolean) => {
    await send(paused ? 'queue:resumeMapping' : 'queue:pauseMapping', { mappingId: id, reason: 'from the Queue area' });
    onNotice(pausedNotice(name, paused));
  };
  if (overview.mappings.length === 0) return null;
  return (
    <>
      <h2 className="queue-h2">By mapping</h2>
      <table className="table queue-table" data-testid="queue-mappings">
        <thead>
          <tr>
            <th>Mapping</th>
            <th>Instance</th>
            <CountHeads />
            <th />
          </tr>
        </thead>
        <tbody>
          {overview.mappings.map((m) => (
            <tr
              key={m.mappingId}
              data-testid={`queue-mapping-${m.name}`}
              onClick={() => useQueue.getState().setScope({ mappingId: m.mappingId, instanceId: null })}
            >
              <td>
                <strong>{m.name}</strong>
                {m.event && m.event !== m.name && <span className="muted small"> · {m.event}</span>}
                {m.paused && <span className="tag queue-paused">paused</span>}
              </td>
              <td>{m.instanceName ?? '—'}</td>
              <CountCells counts={m.counts} />
              <td className="actions-cell">
                {!m.removed && (
                  <CanButton
                    channel="queue:pauseMapping"
                    onClick={(e) => {
                      e.stopPropagation();
                      void toggle(m.mappingId, m.name, m.paused).catch(shownAsToast);
                    }}
                    data-testid="queue-mapping-pause"
                  >
                    {m.paused ? 'Resume' : 'Pause'}
                  </CanButton>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
