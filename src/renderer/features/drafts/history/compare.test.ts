import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../../shared/contract';
import { diffWorkflows } from '../../../../shared/drafts/workflow-model';
import { compareMarks, linksAt, newerName } from './compare';

const older = (): WorkflowDefinition => ({
  name: 'Orders',
  nodes: [
    { id: 'a', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], parameters: {} },
    { id: 'b', name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3, position: [200, 0], parameters: { x: 1 } },
    { id: 'c', name: 'Old', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} },
  ],
  connections: {
    Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
    Set: { main: [[{ node: 'Old', type: 'main', index: 0 }]] },
  },
  settings: {},
});

describe('compare marks', () => {
  it('marks each side from the one diff: removed and changed left, added and changed right, links too', () => {
    const newer = older();
    newer.nodes[1]!.parameters = { x: 2 };
    newer.nodes[1]!.position = [220, 0];
    newer.nodes = newer.nodes.filter((n) => n.name !== 'Old');
    newer.nodes.push({
      id: 'd',
      name: 'New',
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      position: [400, 0],
      parameters: {},
    });
    newer.connections = {
      Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
      Set: { main: [[{ node: 'New', type: 'main', index: 0 }]] },
    };
    const diff = diffWorkflows(newer, older());
    const { from, to } = compareMarks(diff);
    expect(from).toEqual({
      nodes: { Old: { kind: 'removed' }, Set: { kind: 'changed', what: 'position, parameters' } },
      links: { 'Set[main 0] → Old[0]': 'removed' },
    });
    expect(to).toEqual({
      nodes: { New: { kind: 'added' }, Set: { kind: 'changed', what: 'position, parameters' } },
      links: { 'Set[main 0] → New[0]': 'added' },
    });
    expect(linksAt(diff, ['Set'])).toEqual(['+ Set[main 0] → New[0]', '− Set[main 0] → Old[0]']);
    expect(linksAt(diff, ['Webhook'])).toEqual([]);
  });

  it('a renamed node is marked under its old name on the older side, and found by it', () => {
    const newer = older();
    newer.nodes[1]!.name = 'Prepare';
    const diff = diffWorkflows(newer, older());
    const { from, to } = compareMarks(diff);
    expect(from.nodes.Set?.kind).toBe('changed');
    expect(to.nodes.Prepare?.kind).toBe('changed');
    expect(newerName(diff, 'Set')).toBe('Prepare');
    expect(newerName(diff, 'Webhook')).toBe('Webhook');
  });

  it('identical versions carry no mark', () => {
    expect(compareMarks(diffWorkflows(older(), older()))).toEqual({
      from: { nodes: {}, links: {} },
      to: { nodes: {}, links: {} },
    });
  });
});
