import { useEffect, useRef, useState } from 'react';
import type { Instance, SyncLogEntry } from '../../../shared/contract';
import { send, sendCatch } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { ConfirmButton } from './ConfirmButton';
import { ago, dateTime, duration } from './format';
import { InstanceForm } from './InstanceForm';
import { useInstanceList } from './instances-store';
import { useRouteItem } from '../../stores/nav-store';
import './n8n-ui.css';
import { CanButton } from '../../components/Guarded';

const STATE_LABEL: Record<Instance['sync']['state'], string> = {
  never: 'Not synced yet',
  syncing: 'Syncing…',
  ok: 'Healthy',
  offline: 'Offline',
  error: 'Error',
};

/** Instances: connection profiles with health, last sync, test, sync now, edit and remove. */
export function InstancesPage() {
  const { instances, loaded, query } = useInstanceList();
  const [editing, setEditing] = useState<Instance | 'new' | null>(null);
  // #/instances/<id> points at one instance: its card is scrolled to and marked.
  const pointed = useRouteItem('instances')?.[0] ?? null;

  return (
    <section className="page" aria-labelledby="instances-title">
      <div className="page-head">
        <h1 id="instances-title">Instances</h1>
        {editing === null && (
          <CanButton
            channel="instances:add"
            type="button"
            className="primary"
            onClick={() => setEditing('new')}
            data-testid="add-instance"
          >
            Add instance
          </CanButton>
        )}
      </div>
      {editing !== null && (
        <InstanceForm
          key={editing === 'new' ? 'new' : editing.id}
          instance={editing === 'new' ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      )}
      {query.isError && <LoadError what="instances" error={query.error} retry={() => void query.refetch()} />}
      {!loaded && !query.isError && <p className="muted">Loading instances…</p>}
      {loaded && instances.length === 0 && editing === null && (
        <EmptyState title="No instances yet">
          Connect an n8n instance (dev, staging, prod) with its address and an API key. Flightdeck then syncs its
          workflows and executions in the background.
        </EmptyState>
      )}
      <ul className="cards" data-testid="instance-list">
        {instances.map((instance) => (
          <InstanceCard
            key={instance.id}
            instance={instance}
            pointed={instance.id === pointed}
            onEdit={() => setEditing(instance)}
          />
        ))}
      </ul>
    </section>
  );
}

function InstanceCard({ instance, pointed, onEdit }: { instance: Instance; pointed: boolean; onEdit: () => void }) {
  const card = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (pointed) card.current?.scrollIntoView({ block: 'nearest' });
  }, [pointed]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<'test' | 'sync' | null>(null);
  const [log, setLog] = useState<SyncLogEntry[] | null>(null);
  const { sync } = instance;

  const test = async () => {
    setBusy('test');
    const result = await sendCatch('instances:test', { id: instance.id });
    setMessage(result.ok ? result.data.message : result.error.message);
    setBusy(null);
  };
  const syncNow = async () => {
    setBusy('sync');
    try {
      const entry = await send('instances:syncNow', { id: instance.id });
      setMessage(
        entry.outcome === 'ok'
          ? `Synced ${entry.workflows} workflows and ${entry.executions} new or changed executions in ${duration(entry.durationMs)}.`
          : `Sync failed: ${entry.error}`,
      );
      if (log) setLog((await send('instances:syncLog', { id: instance.id, limit: 10 })).entries);
    } catch {
      // In the tray.
    } finally {
      setBusy(null);
    }
  };
  const toggleLog = async () =>
    setLog(log ? null : (await send('instances:syncLog', { id: instance.id, limit: 10 })).entries);

  return (
    <li
      ref={card}
      className={pointed ? 'card card-pointed' : 'card'}
      data-testid={`instance-${instance.name}`}
      aria-current={pointed ? 'true' : undefined}
    >
      <div className="card-head">
        <span className="color-dot" style={{ background: instance.color }} aria-hidden />
        <strong>{instance.name}</strong>
        <span className="tag">{instance.environment}</span>
        {/* Health (dispatch, sync and probe) overrides the sync's word when n8n does not answer. */}
        <span
          className={`health health-${instance.health.state === 'down' ? 'offline' : sync.state}`}
          data-testid="instance-state"
          data-state={sync.state}
          data-health={instance.health.state}
        >
          {instance.health.state === 'down' ? 'Offline' : STATE_LABEL[sync.state]}
        </span>
      </div>
      <div className="muted small">
        {instance.baseUrl} ·{' '}
        {instance.hasApiKey ? (
          <>key …{instance.apiKeyLast4}</>
        ) : (
          <strong className="invalid" data-testid="instance-key-missing">
            no API key: Edit and enter it again
          </strong>
        )}{' '}
        {sync.n8nVersion && <>· n8n {sync.n8nVersion}</>} · id{' '}
        <code data-testid="instance-id" title="instanceId for wait registrations (POST /approvals)">
          {instance.id}
        </code>
      </div>
      <div className="small">
        Last sync: <span title={dateTime(sync.lastSuccessAtMs)}>{ago(sync.lastSuccessAtMs)}</span>
        {!instance.syncEnabled && <span className="muted"> · background sync off</span>}
        {sync.nextSyncAtMs !== null && instance.syncEnabled && (
          <span className="muted"> · next try {ago(sync.nextSyncAtMs)}</span>
        )}
        {sync.consecutiveFailures > 0 && (
          <span className="muted"> · {sync.consecutiveFailures} failed attempts in a row</span>
        )}
      </div>
      {instance.health.state === 'down' && (
        <p className="invalid small" data-testid="instance-health">
          n8n does not answer since {dateTime(instance.health.sinceMs)} ({instance.health.reason}); its queued runs wait
          without spending attempts. Checked {ago(instance.health.checkedAtMs)} ({instance.health.source}).
        </p>
      )}
      {sync.lastError && sync.state !== 'ok' && (
        <p className="invalid small" data-testid="instance-error">
          {sync.lastErrorCode}: {sync.lastError}
        </p>
      )}
      {message && (
        <p className="small" role="status" data-testid="instance-message">
          {message}
        </p>
      )}
      <div className="actions">
        <CanButton
          channel="instances:test"
          type="button"
          onClick={() => void test()}
          disabled={busy !== null}
          data-testid="instance-test-saved"
        >
          {busy === 'test' ? 'Testing…' : 'Test'}
        </CanButton>
        <CanButton
          channel="instances:syncNow"
          type="button"
          onClick={() => void syncNow()}
          disabled={busy !== null || sync.state === 'syncing'}
          data-testid="instance-sync-now"
        >
          {busy === 'sync' || sync.state === 'syncing' ? 'Syncing…' : 'Sync now'}
        </CanButton>
        <button type="button" onClick={() => void toggleLog()} data-testid="instance-log-toggle">
          {log ? 'Hide sync log' : 'Sync log'}
        </button>
        <CanButton channel="instances:update" type="button" onClick={onEdit} data-testid="instance-edit">
          Edit
        </CanButton>
        <ConfirmButton
          label="Remove"
          danger
          question={`Remove ${instance.name} with its synced workflows and executions? n8n itself is not changed.`}
          onConfirm={() => send('instances:remove', { id: instance.id })}
          channel="instances:remove"
          testId="instance-remove"
        />
      </div>
      {log && (
        <table className="table small" data-testid="sync-log">
          <thead>
            <tr>
              <th>When</th>
              <th>Took</th>
              <th>Outcome</th>
              <th>Workflows</th>
              <th>Executions</th>
            </tr>
          </thead>
          <tbody>
            {log.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No sync has run yet.
                </td>
              </tr>
            )}
            {log.map((e) => (
              <tr key={e.id}>
                <td>{dateTime(e.startedAtMs)}</td>
                <td>{duration(e.durationMs)}</td>
                <td title={e.error ?? ''}>{e.outcome === 'ok' ? 'ok' : `failed (${e.errorCode})`}</td>
                <td>{e.workflows}</td>
                <td>{e.executions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}
