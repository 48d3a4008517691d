import { useEffect, useRef, useState } from 'react';
import type { WorkflowVersionKind } from '../../../shared/contract';
import { sendCatch } from '../../api/client';
import { LoadError } from '../../components/LoadError';
import { ask, useAttempt } from './failure';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { Picker } from '../../components/Picker';
import { instanceChoices, namer, usePickerOptions, workflowChoices } from '../../components/picker-options';
import { readJsonFile } from '../../files';
import { DraftEditor } from './DraftEditor';
import { followDrafts, useDrafts } from './drafts-store';
import { CanButton } from '../../components/Guarded';
import { MergeHost } from './merge/MergeActions';
import { useMergeUi } from './merge/merge-store';

/** Drafts: n8n workflows edited offline, then pushed (with conflict checks) when n8n is reachable. */
export function DraftsPage() {
  const drafts = useDrafts((s) => s.drafts);
  const loadError = useDrafts((s) => s.error);
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [cloneId, setCloneId] = useState('');
  const [cloneVersion, setCloneVersion] = useState<WorkflowVersionKind>('draft');
  const [problem, setProblem] = useState<string | null>(null);
  /** A failed create, clone or delete, in words, with what to do. */
  const { problem: failure, attempt } = useAttempt();
  const [removing, setRemoving] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const { options } = usePickerOptions();
  const names = namer(options);
  useEffect(followDrafts, []);
  const revision = useMergeUi((s) => s.revision);

  const target = instanceId.trim() || null;
  const create = async () => {
    const draft = await ask('drafts:create', { name: name.trim(), instanceId: target });
    setName('');
    setEditing(draft.id);
  };
  const clone = async () => {
    if (!target) return;
    const draft = await ask('drafts:clone', { instanceId: target, workflowId: cloneId.trim(), version: cloneVersion });
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
          key={`${current.id}-${current.baseVersionId ?? ''}-${revision}`}
          draft={current}
          onDone={() => setEditing(null)}
        />
        <MergeHost />
      </section>
    );
  }
  return (
    <section className="page">
      <h1>Drafts</h1>
      <div className="toolbar">
        <Picker
          label="Instance (push target)"
          value={instanceId || null}
          options={instanceChoices(options)}
          clearable="No instance (import or edit only)"
          placeholder="Choose an instance…"
          onChange={(v) => {
            setInstanceId(v ?? '');
            setCloneId('');
          }}
          testId="d-new-instance"
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
          onClick={() => attempt('Creating the draft', create)}
          data-testid="d-new"
        >
          New draft
        </CanButton>
        <Picker
          label="Workflow to clone"
          value={cloneId || null}
          options={workflowChoices(options, target)}
          disabled={!target}
          placeholder={target ? 'Search its synced workflows…' : 'Choose an instance first'}
          emptyText="No synced workflow matches: sync the instance first"
          onChange={(v) => setCloneId(v ?? '')}
          testId="d-clone-id"
        />
        <select
          value={cloneVersion}
          onChange={(e) => setCloneVersion(e.target.value as WorkflowVersionKind)}
          aria-label="Which version to clone"
          title="n8n 2.x can hold a saved draft that is not published yet; on 1.x both are the same"
          data-testid="d-clone-version"
        >
          <option value="draft">its saved version</option>
          <option value="published">its published (live) version</option>
        </select>
        <CanButton
          channel="drafts:clone"
          type="button"
          disabled={!target || !cloneId.trim()}
          onClick={() => attempt('Cloning the workflow', clone)}
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
      {failure && (
        <p className="invalid" role="alert" data-testid="d-problem">
          {failure}
        </p>
      )}
      {loadError ? (
        <LoadError what="the drafts" error={loadError} retry={() => void useDrafts.getState().load()} />
      ) : drafts === null ? (
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
                <td>
                  {d.workflow.name}
                  {d.origin === 'clone' && d.baseKind === 'published' && (
                    <span className="tag" title="Cloned from the version n8n runs, not its saved draft">
                      from published
                    </span>
                  )}
                </td>
                <td title={d.instanceId ?? undefined}>{d.instanceId ? names.instance(d.instanceId) : '—'}</td>
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
          onConfirm={() =>
            attempt('Deleting the draft', async () => {
              setRemoving(null);
              await ask('drafts:remove', { id: removing });
            })
          }
        >
          The draft and its push history are deleted here; the workflow in n8n is not touched.
        </ConfirmDialog>
      )}
    </section>
  );
}
