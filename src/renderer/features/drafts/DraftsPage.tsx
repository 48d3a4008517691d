import { useEffect, useRef, useState } from 'react';
import { send, sendCatch } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { readJsonFile } from '../../files';
import { DraftEditor } from './DraftEditor';
import { followDrafts, useDrafts } from './drafts-store';
import { CanButton } from '../../components/Guarded';

/** Drafts: n8n workflows edited offline, then pushed (with conflict checks) when n8n is reachable. */
export function DraftsPage() {
  const drafts = useDrafts((s) => s.drafts);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [cloneId, setCloneId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  useEffect(followDrafts, []);

  const target = instanceId.trim() || null;
  const create = async () => {
    const draft = await send('drafts:create', { name: name.trim(), instanceId: target });
    setName('');
    setEditing(draft.id);
  };
  const clone = async () => {
    if (!target) return;
    const draft = await send('drafts:clone', { instanceId: target, workflowId: cloneId.trim() });
    setCloneId('');
    setEditing(draft.id);
  };
  const importFile = async (picked: File | undefined) => {
    if (!picked) return;
    setProblem(null);
    try {
      const result = await sendCatch('drafts:import', { document: await readJsonFile(picked), instanceId: target });
      if (result.ok) setEditing(result.data.id);
      else setProblem(result.error.message);
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      if (file.current) file.current.value = '';
    }
  };

  const current = editing ? drafts?.find((d) => d.id === editing) : undefined;
  if (current) {
    return (
      <section className="page">
        <DraftEditor
          key={`${current.id}-${current.baseVersionId ?? ''}`}
          draft={current}
          onDone={() => setEditing(null)}
        />
      </section>
    );
  }
  return (
    <section className="page">
      <h1>Drafts</h1>
      <div className="toolbar">
        <input
          placeholder="Instance id (push target)"
          value={instanceId}
          onChange={(e) => setInstanceId(e.target.value)}
          data-testid="d-new-instance"
        />
        <input
          placeholder="New workflow name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="d-new-name"
        />
        <CanButton
          channel="drafts:create"
          type="button"
          className="primary"
          disabled={!name.trim()}
          onClick={() => void create().catch(() => undefined)}
          data-testid="d-new"
        >
          New draft
        </CanButton>
        <input
          placeholder="n8n workflow id"
          value={cloneId}
          onChange={(e) => setCloneId(e.target.value)}
          data-testid="d-clone-id"
        />
        <CanButton
          channel="drafts:clone"
          type="button"
          disabled={!target || !cloneId.trim()}
          onClick={() => void clone().catch(() => undefined)}
          data-testid="d-clone"
        >
          Clone from n8n
        </CanButton>
        <CanButton channel="drafts:import" type="button" onClick={() => file.current?.click()} data-testid="d-import">
          Import file…
        </CanButton>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => void importFile(e.target.files?.[0])}
          data-testid="d-import-file"
        />
      </div>
      {problem && (
        <p className="invalid" role="alert" data-testid="d-import-problem">
          Import refused, nothing changed: {problem}
        </p>
      )}
      {drafts === null ? (
        <p className="muted">Loading…</p>
      ) : drafts.length === 0 ? (
        <EmptyState title="No drafts yet">
          Draft a workflow offline: start a new one, clone one from an instance, or import a workflow exported from n8n.
          Push it when the instance is reachable; if n8n changed meanwhile you choose what to keep.
        </EmptyState>
      ) : (
        <table className="table" data-testid="d-list">
          <thead>
            <tr>
              <th>Workflow</th>
              <th>Instance</th>
              <th>Nodes</th>
              <th>Checks</th>
              <th>Last push</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {drafts.map((d) => (
              <tr
                key={d.id}
                tabIndex={0}
                onClick={() => setEditing(d.id)}
                onKeyDown={(e) => e.key === 'Enter' && setEditing(d.id)}
              >
                <td>{d.workflow.name}</td>
                <td>{d.instanceId ?? '—'}</td>
                <td>{d.workflow.nodes.length}</td>
                <td>{d.issues.length ? `${d.issues.length} to fix` : 'valid'}</td>
                <td>
                  {d.lastPush
                    ? `${d.lastPush.status}${d.lastPush.status === 'queued' ? ` (retry ${new Date(d.lastPush.nextAttemptAtMs).toLocaleTimeString()})` : ''}`
                    : '—'}
                </td>
                <td>
                  <CanButton
                    channel="drafts:remove"
                    type="button"
                    onClick={(e) => {
                      e.stopPropagation();
                      setRemoving(d.id);
                    }}
                  >
                    Delete
                  </CanButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <ConfirmDialog
          title="Delete this draft?"
          confirmLabel="Delete"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => void send('drafts:remove', { id: removing }).finally(() => setRemoving(null))}
        >
          The draft and its push history are deleted here; the workflow in n8n is not touched.
        </ConfirmDialog>
      )}
    </section>
  );
}
