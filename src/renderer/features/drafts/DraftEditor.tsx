import { useMemo, useState } from 'react';
import {
  pushConflictSchema,
  type Draft,
  type PreflightReport,
  type PushConflict,
  type WorkflowDefinition,
  type WorkflowDiff,
} from '../../../shared/contract';
import { renameNodeAt, validateWorkflow } from '../../../shared/drafts/workflow-model';
import { sendCatch } from '../../api/client';
import { AppError } from '../../../shared/result';
import { ask, useAttempt } from './failure';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Picker } from '../../components/Picker';
import { instanceChoices, namer, usePickerOptions } from '../../components/picker-options';
import { ConflictDialog } from './ConflictDialog';
import { ConnectionsEditor } from './ConnectionsEditor';
import { DiffView } from './DiffView';
import { NodeEditor } from './NodeEditor';
import { PreflightView } from './PreflightView';
import { CanButton } from '../../components/Guarded';
import { MergeActions } from './merge/MergeActions';
import { useMergeUi } from './merge/merge-store';
import { JsonEditor } from '../../components/workflow-canvas/JsonEditor';
import { collectNodeTypes, typesOfNodes } from '../../components/workflow-canvas/node-types';
import { DraftCanvas, type DraftState } from './canvas/DraftCanvas';
import { useHistory } from './canvas/use-history';
import canvasStyles from './canvas/DraftCanvas.module.css';
import { useDrafts } from './drafts-store';
import { useCall } from '../../data/calls';

/**
 * Edits one draft: on the canvas (default) or as a form of nodes and connections; settings;
 * validation as you type; diff; push. Canvas actions are undoable (the history holds the
 * workflow and its node editors' keys together).
 */
export function DraftEditor({ draft, onDone }: { draft: Draft; onDone(): void }) {
  const history = useHistory<DraftState>(() => ({
    workflow: draft.workflow,
    keys: draft.workflow.nodes.map((_, i) => i),
  }));
  const { workflow, keys: nodeKeys } = history.value;
  const setWorkflow = (next: WorkflowDefinition) => history.set((s) => ({ ...s, workflow: next }));
  const [view, setView] = useState<'canvas' | 'form'>('canvas');
  const drafts = useDrafts((s) => s.drafts);
  const [instanceId, setInstanceId] = useState(draft.instanceId ?? '');
  const { options } = usePickerOptions();
  const names = namer(options);
  const [settingsText, setSettingsText] = useState(() => JSON.stringify(draft.workflow.settings, null, 2));
  const [jsonErrors, setJsonErrors] = useState<Record<string, string | null>>({});
  const [diff, setDiff] = useState<WorkflowDiff | null>(null);
  const [conflict, setConflict] = useState<PushConflict | null>(null);
  const [confirmTheirs, setConfirmTheirs] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  /** A failed action, said beside the actions (or in the conflict dialog, which covers them). */
  const { problem, setProblem, attempt } = useAttempt();
  const [preflight, setPreflight] = useState<PreflightReport | null>(null);
  // What the instances run (synced workflows) and what drafts use: the types offered on the canvas.
  const synced = useCall('workflows:nodeTypes', {});
  const nodeTypes = useMemo(
    () =>
      collectNodeTypes([
        ...(synced.data?.types ?? []).map((t) => ({
          type: t.type,
          typeVersion: t.typeVersion,
          uses: t.uses,
          seenIn: t.instanceIds.map((id) => names.instance(id)).join(', '),
        })),
        ...typesOfNodes(workflow.nodes, 'this draft'),
        ...typesOfNodes(
          (drafts ?? []).filter((d) => d.id !== draft.id).flatMap((d) => d.workflow.nodes),
          'drafts',
        ),
      ]),
    [workflow.nodes, drafts, draft.id, synced.data, options],
  );

  const issues = useMemo(
    () => [
      ...Object.values(jsonErrors)
        .filter((e): e is string => !!e)
        .map((message) => ({ node: null, message })),
      ...validateWorkflow(workflow),
    ],
    [workflow, jsonErrors],
  );
  const dirty = JSON.stringify(workflow) !== JSON.stringify(draft.workflow) || instanceId !== (draft.instanceId ?? '');

  const save = () => ask('drafts:update', { id: draft.id, workflow, instanceId: instanceId.trim() || null });

  const editSettings = (text: string) => {
    setSettingsText(text);
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('must be a JSON object');
      setWorkflow({ ...workflow, settings: parsed as Record<string, unknown> });
      setJsonErrors({ ...jsonErrors, settings: null });
    } catch (e) {
      setJsonErrors({ ...jsonErrors, settings: `Settings: ${(e as Error).message}` });
    }
  };

  const addNode = () => {
    let n = workflow.nodes.length + 1;
    while (workflow.nodes.some((x) => x.name === `Node ${n}`)) n++;
    const position: [number, number] = [200 * workflow.nodes.length, 0];
    history.set((s) => ({
      keys: [...s.keys, Math.max(-1, ...s.keys) + 1],
      workflow: {
        ...workflow,
        nodes: [
          ...workflow.nodes,
          {
            id: crypto.randomUUID(),
            name: `Node ${n}`,
            type: 'n8n-nodes-base.noOp',
            typeVersion: 1,
            position,
            parameters: {},
          },
        ],
      },
    }));
  };

  const removeNode = (index: number) => {
    const name = workflow.nodes[index]?.name;
    const connections = Object.fromEntries(
      Object.entries(workflow.connections)
        .filter(([source]) => source !== name)
        .map(([source, byType]) => [
          source,
          Object.fromEntries(
            Object.entries(byType).map(([t, outs]) => [t, outs.map((o) => o?.filter((x) => x.node !== name) ?? null)]),
          ),
        ]),
    );
    history.set((s) => ({
      workflow: { ...workflow, nodes: workflow.nodes.filter((_, i) => i !== index), connections },
      keys: s.keys.filter((_, i) => i !== index),
    }));
    setJsonErrors({ ...jsonErrors, [`node-${nodeKeys[index]}`]: null });
  };

  const push = async (override: boolean) => {
    setStatus(null);
    if (dirty) await save();
    const result = await sendCatch('drafts:push', { id: draft.id, override });
    if (result.ok) {
      setConflict(null);
      // Shown again after the push when the target may not run every node.
      setPreflight(result.data.preflight && result.data.preflight.workflows.length > 0 ? result.data.preflight : null);
      setStatus(
        result.data.push.status === 'queued'
          ? `n8n is unreachable: the push is queued and will be replayed when ${names.instance(result.data.push.instanceId)} is back.`
          : `Pushed to ${names.instance(result.data.push.instanceId)} (workflow “${workflow.name}”).`,
      );
      return;
    }
    const parsed = result.error.code === 'CONFLICT' ? pushConflictSchema.safeParse(result.error.details) : null;
    // n8n moved on and both sides merged by themselves: the draft is the merged result now.
    if (parsed?.success && parsed.data.merge?.applied) {
      useMergeUi.getState().replaced();
      useMergeUi.getState().showMerge(parsed.data.merge);
    } else if (parsed?.success) setConflict(parsed.data);
    else throw new AppError(result.error.code, result.error.message);
  };

  /** Dry run: checks the draft's node types against the instance it would be pushed to. */
  const check = async () => {
    if (dirty) await save();
    setPreflight(await ask('drafts:preflight', { draftId: draft.id }));
  };

  const takeTheirs = async () => {
    setConfirmTheirs(false);
    setConflict(null);
    const rebased = await ask('drafts:rebase', { id: draft.id });
    history.reset({
      workflow: rebased.workflow,
      keys: rebased.workflow.nodes.map((_, i) => i + Math.max(-1, ...nodeKeys) + 1),
    });
    setSettingsText(JSON.stringify(rebased.workflow.settings, null, 2));
    setStatus('The draft now matches n8n.');
  };

  /** One node's editor (the form lists them all; the canvas shows the selected one). */
  const nodeEditor = (index: number, generation: string) => {
    const node = workflow.nodes[index];
    if (!node) return null;
    return (
      <NodeEditor
        key={`${nodeKeys[index] ?? index}-${generation}`}
        node={node}
        index={index}
        otherNames={workflow.nodes.filter((_, i) => i !== index).map((n) => n.name)}
        onChange={(next) => setWorkflow({ ...workflow, nodes: workflow.nodes.map((n, i) => (i === index ? next : n)) })}
        onRename={(to) => setWorkflow(renameNodeAt(workflow, index, to))}
        onRemove={() => removeNode(index)}
        onJsonError={(message) => setJsonErrors((e) => ({ ...e, [`node-${nodeKeys[index]}`]: message }))}
      />
    );
  };

  return (
    <div className={`editor ${view === 'canvas' ? canvasStyles.editorWide : ''}`} data-testid="d-editor">
      <div className="row">
        <button type="button" onClick={onDone} data-testid="d-back">
          ← Drafts
        </button>
        <h1>{workflow.name}</h1>
      </div>
      <div className="grid2">
        <label className="field">
          Workflow name
          <input
            value={workflow.name}
            onChange={(e) => setWorkflow({ ...workflow, name: e.target.value })}
            data-testid="d-name"
          />
        </label>
        <Picker
          label="Instance (push target)"
          value={instanceId || null}
          options={instanceChoices(options)}
          clearable="No instance yet"
          placeholder="Choose an instance…"
          disabled={draft.remoteWorkflowId !== null}
          onChange={(v) => setInstanceId(v ?? '')}
          testId="d-instance"
        />
      </div>
      <div className={canvasStyles.summary}>
        <p className="muted">
          {draft.remoteWorkflowId
            ? `“${names.workflow(draft.instanceId, draft.remoteWorkflowId)}” on ${names.instance(draft.instanceId)}, as it was when this draft was taken (${draft.baseKind === 'published' ? 'its published version' : 'its saved version'}).`
            : 'Not in n8n yet: a push creates it.'}
          {draft.lastPush &&
            ` Last push: ${draft.lastPush.status}${draft.lastPush.lastError ? ` — ${draft.lastPush.lastError}` : ''}.`}
        </p>
        {issues.length > 0 ? (
          <ul className="invalid" data-testid="d-issues">
            {issues.map((i) => (
              <li key={i.message}>{i.message}</li>
            ))}
          </ul>
        ) : (
          <p data-testid="d-valid">✓ Valid: unique node names, connections point at nodes, a trigger is present.</p>
        )}
      </div>
      <div className={canvasStyles.tabs} role="tablist" aria-label="How to edit the draft">
        {(['canvas', 'form'] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={view === v}
            onClick={() => setView(v)}
            data-testid={`d-tab-${v}`}
          >
            {v === 'canvas' ? 'Canvas' : 'Nodes and connections (form)'}
          </button>
        ))}
      </div>
      {view === 'canvas' ? (
        <DraftCanvas
          history={history}
          nodeTypes={nodeTypes}
          renderNode={(index) => nodeEditor(index, `${history.generation}`)}
          onNodesRemoved={(keys) =>
            setJsonErrors((e) => ({ ...e, ...Object.fromEntries(keys.map((k) => [`node-${k}`, null])) }))
          }
        />
      ) : (
        <>
          <h2>Nodes</h2>
          {workflow.nodes.map((_, index) => nodeEditor(index, `${history.generation}`))}
          <div>
            <button type="button" onClick={addNode} data-testid="d-add-node">
              Add node
            </button>
          </div>
          <ConnectionsEditor
            connections={workflow.connections}
            nodeNames={workflow.nodes.map((n) => n.name)}
            onChange={(connections) => setWorkflow({ ...workflow, connections })}
          />
        </>
      )}
      <div className="field">
        <span>Settings (JSON)</span>
        <JsonEditor
          value={settingsText}
          onChange={editSettings}
          label="Workflow settings (JSON)"
          invalid={Boolean(jsonErrors.settings)}
          testId="d-settings"
        />
      </div>
      <div className="actions">
        <CanButton
          channel="drafts:update"
          type="button"
          disabled={!dirty || Object.values(jsonErrors).some(Boolean)}
          onClick={() =>
            attempt('Saving the draft', async () => {
              await save();
              setStatus('Saved.');
            })
          }
          data-testid="d-save"
        >
          Save draft
        </CanButton>
        <button
          type="button"
          disabled={!draft.remoteWorkflowId}
          onClick={() =>
            attempt('Comparing with n8n', async () => setDiff((await ask('drafts:diff', { id: draft.id })).diff))
          }
          data-testid="d-diff-button"
        >
          Compare with n8n
        </button>
        <button
          type="button"
          disabled={!instanceId.trim() || Object.values(jsonErrors).some(Boolean)}
          title="Dry run: will the instance run every node type of this draft? Nothing is sent to n8n but reads."
          onClick={() => attempt('Checking against the instance', check)}
          data-testid="d-preflight-button"
        >
          Check against instance
        </button>
        <CanButton
          channel="drafts:push"
          type="button"
          className="primary"
          disabled={issues.length > 0 || !instanceId.trim()}
          onClick={() => attempt('Pushing to n8n', () => push(false))}
          data-testid="d-push"
        >
          Push to n8n
        </CanButton>
        <MergeActions draft={draft} dirty={dirty} onProblem={setProblem} />
      </div>
      {problem && !conflict && (
        <p className="invalid" role="alert" data-testid="d-problem">
          {problem}
        </p>
      )}
      {status && <p data-testid="d-status">{status}</p>}
      {preflight && <PreflightView report={preflight} testId="d-preflight" />}
      {diff && (
        <>
          <DiffView diff={diff} />
          {!diff.identical && (
            <button
              type="button"
              onClick={() => useMergeUi.getState().showHistory(draft.id, { from: 'n8n', to: 'current' })}
              data-testid="d-diff-canvas"
            >
              See it on the canvas
            </button>
          )}
        </>
      )}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          onCancel={() => setConflict(null)}
          problem={problem}
          onKeepMine={() => attempt('Pushing your version over n8n’s', () => push(true))}
          onTakeTheirs={() => setConfirmTheirs(true)}
        />
      )}
      {confirmTheirs && (
        <ConfirmDialog
          title="Discard your changes?"
          confirmLabel="Take theirs"
          danger
          onCancel={() => setConfirmTheirs(false)}
          onConfirm={() => attempt('Taking n8n’s version', takeTheirs)}
        >
          The draft becomes the workflow as n8n has it now; your edits are lost.
        </ConfirmDialog>
      )}
    </div>
  );
}
