import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../shared/contract';
import {
  addNode,
  connect,
  disconnect,
  fromGraph,
  moveNodes,
  removeNodes,
  toGraph,
  typeLabel,
  uniqueName,
} from './graph';

const node = (name: string, type: string, position: [number, number], extra: object = {}) => ({
  id: `id-${name}`,
  name,
  type,
  typeVersion: 1,
  position,
  parameters: {},
  ...extra,
});

/** A workflow as n8n exports it: an If with both branches, a null slot, an empty slot, an AI port. */
const workflow: WorkflowDefinition = {
  name: 'Orders',
  settings: { executionOrder: 'v1' },
  nodes: [
    node('Webhook', 'n8n-nodes-base.webhook', [0, 0], { typeVersion: 2, parameters: { path: 'orders' } }),
    node('If', 'n8n-nodes-base.if', [220, 0], { typeVersion: 2.2 }),
    node('Big', 'n8n-nodes-base.set', [440, -100]),
    node('Small', 'n8n-nodes-base.set', [440, 100]),
    node('Merge', 'n8n-nodes-base.merge', [660, 0], { typeVersion: 3 }),
    node('Agent', '@n8n/n8n-nodes-langchain.agent', [880, 0]),
    node('Model', '@n8n/n8n-nodes-langchain.lmChatOpenAi', [880, 200]),
  ],
  connections: {
    Webhook: { main: [[{ node: 'If', type: 'main', index: 0 }]] },
    If: {
      main: [
        [{ node: 'Big', type: 'main', index: 0 }],
        [
          { node: 'Small', type: 'main', index: 0 },
          { node: 'Merge', type: 'main', index: 1 },
        ],
      ],
    },
    Big: { main: [[{ node: 'Merge', type: 'main', index: 0 }], null] },
    Small: { main: [[]] },
    Merge: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
    Model: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
  },
};

describe('workflow JSON ⇄ graph', () => {
  it('goes to the graph and back without losing a byte (null and empty slots, order, AI ports)', () => {
    const back = { ...workflow, ...fromGraph(toGraph(workflow)) };
    expect(JSON.stringify(back)).toBe(JSON.stringify(workflow));
  });

  it('reads n8n connections as edges by output and input index', () => {
    const g = toGraph(workflow);
    expect(g.edges).toContainEqual({
      source: 'If',
      type: 'main',
      outputIndex: 1,
      target: 'Merge',
      targetType: 'main',
      inputIndex: 1,
    });
    expect(g.edges).toHaveLength(7);
    expect(g.edges.filter((e) => e.type === 'ai_languageModel')).toHaveLength(1);
  });

  it('gives each node the ports of its type and of its links', () => {
    const ports = Object.fromEntries(toGraph(workflow).nodes.map((n) => [n.id, n.ports]));
    expect(ports.Webhook?.inputs).toEqual([]);
    expect(ports.If?.outputs.map((p) => p.label)).toEqual(['true', 'false']);
    expect(ports.Merge?.inputs.map((p) => p.index)).toEqual([0, 1]);
    expect(ports.Agent?.inputs).toContainEqual({ type: 'ai_languageModel', index: 0, label: 'Model' });
    // A sub-node: only its AI output, no main ports.
    expect(ports.Model).toEqual({ inputs: [], outputs: [{ type: 'ai_languageModel', index: 0, label: 'Model' }] });
  });

  it('keeps links to nodes that do not exist, and gives duplicate names distinct ids', () => {
    const broken = {
      nodes: [node('A', 'n8n-nodes-base.manualTrigger', [0, 0]), node('A', 'n8n-nodes-base.noOp', [200, 0])],
      connections: { A: { main: [[{ node: 'Ghost', type: 'main', index: 0 }]] }, Ghost: { main: [[]] } },
    };
    const g = toGraph(broken);
    expect(g.nodes.map((n) => n.id)).toEqual(['A', 'A#2']);
    expect(fromGraph(g)).toEqual(broken);
  });
});

describe('canvas edits in n8n shape', () => {
  it('connects an output to an input, creating slots as n8n does, and ignores a duplicate', () => {
    const link = { source: 'Small', type: 'main', outputIndex: 0, target: 'Merge', targetType: 'main', inputIndex: 1 };
    const once = connect(workflow, link);
    expect(once.connections.Small).toEqual({ main: [[{ node: 'Merge', type: 'main', index: 1 }]] });
    expect(connect(once, link)).toEqual(once);
    const fresh = connect(
      { ...workflow, connections: {} },
      { source: 'If', type: 'main', outputIndex: 1, target: 'Small', targetType: 'main', inputIndex: 0 },
    );
    expect(fresh.connections).toEqual({ If: { main: [[], [{ node: 'Small', type: 'main', index: 0 }]] } });
    expect(connect(workflow, { ...link, target: 'Small', source: 'Small' })).toBe(workflow);
  });

  it('disconnects one link and leaves the slot as n8n leaves it (empty, not removed)', () => {
    const next = disconnect(workflow, [
      { source: 'If', type: 'main', outputIndex: 1, target: 'Merge', targetType: 'main', inputIndex: 1 },
    ]);
    expect(next.connections.If?.main?.[1]).toEqual([{ node: 'Small', type: 'main', index: 0 }]);
    const none = disconnect(workflow, [
      { source: 'Webhook', type: 'main', outputIndex: 0, target: 'If', targetType: 'main', inputIndex: 0 },
    ]);
    expect(none.connections.Webhook).toEqual({ main: [[]] });
  });

  it('removes nodes with every link from and to them; other nodes and settings stay', () => {
    const next = removeNodes(workflow, [1]);
    expect(next.nodes.map((n) => n.name)).toEqual(['Webhook', 'Big', 'Small', 'Merge', 'Agent', 'Model']);
    expect(next.connections.If).toBeUndefined();
    expect(next.connections.Webhook).toEqual({ main: [[]] });
    expect(next.settings).toEqual(workflow.settings);
    expect(next.connections.Big).toEqual(workflow.connections.Big);
  });

  it('moves nodes to whole-pixel positions and adds nodes named as n8n names them', () => {
    expect(moveNodes(workflow, new Map([[2, [10.4, 20.6]]])).nodes[2]?.position).toEqual([10, 21]);
    const added = addNode(addNode(workflow, 'n8n-nodes-base.set', 3.4, [1, 2]), 'n8n-nodes-base.set', 3.4, [3, 4]);
    expect(added.nodes.slice(-2).map((n) => [n.name, n.typeVersion, n.position])).toEqual([
      ['Edit Fields (Set)', 3.4, [1, 2]],
      ['Edit Fields (Set)1', 3.4, [3, 4]],
    ]);
    expect(uniqueName('HTTP Request1', ['HTTP Request1'])).toBe('HTTP Request2');
    expect(typeLabel('n8n-nodes-base.googleSheetsApi')).toBe('Google Sheets API');
    expect(typeLabel('@acme/n8n-nodes-x.doThing')).toBe('Do Thing');
  });
});
