import { useState } from 'react';
import type { Connections } from '../../../shared/contract';
import { listConnections } from '../../../shared/drafts/workflow-model';

/** The links between nodes (main output 0 → input 0 when added here), with remove. */
export function ConnectionsEditor(props: {
  connections: Connections;
  nodeNames: string[];
  onChange(c: Connections): void;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const links = listConnections(props.connections);

  const remove = (i: number) => {
    const [source, type, outputIndex, target, inputIndex] = links[i] ?? [];
    if (source === undefined || type === undefined || outputIndex === undefined) return;
    const next = structuredClone(props.connections);
    const outputs = next[source]?.[type];
    const slot = outputs?.[outputIndex];
    if (outputs && slot) outputs[outputIndex] = slot.filter((t) => !(t.node === target && t.index === inputIndex));
    props.onChange(next);
  };

  const add = () => {
    if (!from || !to) return;
    const next = structuredClone(props.connections);
    const byType = (next[from] ??= {});
    const outputs = (byType.main ??= []);
    const first = (outputs[0] ??= []);
    if (!first.some((t) => t.node === to)) first.push({ node: to, type: 'main', index: 0 });
    props.onChange(next);
  };

  return (
    <fieldset data-testid="d-connections">
      <legend>Connections</legend>
      {links.length === 0 ? (
        <p className="muted">No connections yet: link a trigger to the next node below.</p>
      ) : (
        <ul>
          {links.map(([s, type, o, t, i], index) => (
            <li key={`${s}-${type}-${o}-${t}-${i}`}>
              {s} [{type} {o}] → {t} [{i}]{' '}
              <button type="button" onClick={() => remove(index)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <select value={from} onChange={(e) => setFrom(e.target.value)} data-testid="d-conn-from">
          <option value="">From…</option>
          {props.nodeNames.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <select value={to} onChange={(e) => setTo(e.target.value)} data-testid="d-conn-to">
          <option value="">To…</option>
          {props.nodeNames.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
        <button type="button" onClick={add} disabled={!from || !to} data-testid="d-conn-add">
          Connect
        </button>
      </div>
    </fieldset>
  );
}
