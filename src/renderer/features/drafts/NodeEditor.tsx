import { useState } from 'react';
import type { WorkflowNode } from '../../../shared/contract';
import { JsonEditor } from '../../components/workflow-canvas/JsonEditor';

/** One node: name, type, version, position, and its parameters as JSON (checked as you type). */
export function NodeEditor(props: {
  node: WorkflowNode;
  index: number;
  /** Names of the other nodes: a rename onto one of them is refused (links could not tell them apart). */
  otherNames: string[];
  onChange(node: WorkflowNode): void;
  onRename(to: string): void;
  onRemove(): void;
  onJsonError(message: string | null): void;
}) {
  const { node, index } = props;
  const [text, setText] = useState(() => JSON.stringify(node.parameters, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState(node.name);
  const [nameError, setNameError] = useState<string | null>(null);

  const report = (params: string | null, naming: string | null) => {
    const all = [naming, params].filter(Boolean).join(' ');
    props.onJsonError(all || null);
  };

  /** Renames on leaving the field, so a name typed letter by letter never passes through a duplicate. */
  const commitName = () => {
    const to = name.trim();
    let problem: string | null = null;
    if (!to) problem = `Node "${node.name}": a node needs a name.`;
    else if (props.otherNames.includes(to))
      problem = `Node "${node.name}": another node is already named "${to}"; names must be unique.`;
    setNameError(problem);
    report(error, problem);
    if (!problem && to !== node.name) props.onRename(to);
  };

  const editParameters = (value: string) => {
    setText(value);
    let message: string | null = null;
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) message = 'must be a JSON object';
      else props.onChange({ ...node, parameters: parsed as Record<string, unknown> });
    } catch (e) {
      message = `not valid JSON (${(e as Error).message})`;
    }
    const full = message ? `Node "${node.name}": parameters ${message}.` : null;
    setError(full);
    report(full, nameError);
  };

  return (
    <fieldset data-testid={`d-node-${index}`}>
      <legend>{node.name || '(unnamed node)'}</legend>
      <div className="grid2">
        <label className="field">
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={commitName}
            onKeyDown={(e) => e.key === 'Enter' && commitName()}
            aria-invalid={nameError !== null}
            data-testid={`d-node-${index}-name`}
          />
        </label>
        <label className="field">
          Type
          <input
            value={node.type}
            onChange={(e) => props.onChange({ ...node, type: e.target.value })}
            data-testid={`d-node-${index}-type`}
          />
        </label>
      </div>
      <div className="row">
        <label>
          Version{' '}
          <input
            type="number"
            step={0.1}
            min={0}
            value={node.typeVersion}
            onChange={(e) => props.onChange({ ...node, typeVersion: Number(e.target.value) })}
            style={{ width: 70 }}
          />
        </label>
        <label>
          x{' '}
          <input
            type="number"
            value={node.position[0]}
            onChange={(e) => props.onChange({ ...node, position: [Number(e.target.value), node.position[1]] })}
            style={{ width: 80 }}
          />
        </label>
        <label>
          y{' '}
          <input
            type="number"
            value={node.position[1]}
            onChange={(e) => props.onChange({ ...node, position: [node.position[0], Number(e.target.value)] })}
            style={{ width: 80 }}
          />
        </label>
        <button type="button" onClick={props.onRemove} data-testid={`d-node-${index}-remove`}>
          Remove node
        </button>
      </div>
      <div className="field">
        <span title="n8n expressions (strings starting with ={{ … }}) are marked in orange">Parameters (JSON)</span>
        <JsonEditor
          value={text}
          onChange={editParameters}
          label={`Parameters of ${node.name || 'the node'} (JSON)`}
          invalid={error !== null}
          testId={`d-node-${index}-params`}
        />
      </div>
      {nameError && <span className="invalid">{nameError}</span>}
      {error && <span className="invalid">{error}</span>}
    </fieldset>
  );
}
