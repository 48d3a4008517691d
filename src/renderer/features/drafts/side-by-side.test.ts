import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../shared/contract';
import { diffWorkflows } from '../../../shared/drafts/workflow-model';
import { showValue, sideBySide } from './side-by-side';

const base = (): WorkflowDefinition => ({
  name: 'Orders',
  nodes: [
    {
      id: 'a',
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      parameters: { path: 'orders', options: { rawBody: false } },
    },
    { id: 'b', name: 'Set', type: 'n8n-nodes-base.set', typeVersion: 3.4, position: [200, 0], parameters: {} },
  ],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: { executionOrder: 'v1', timezone: 'Europe/Berlin' },
});

describe('conflict values side by side', () => {
  it('pairs each changed node field and parameter with both values, by name', () => {
    const mine = base();
    const theirs = base();
    mine.nodes[0]!.parameters = { path: 'orders-v2', options: { rawBody: true } };
    theirs.nodes[1]!.typeVersion = 3.3;
    theirs.settings = { executionOrder: 'v1', timezone: 'UTC' };
    mine.nodes.push({
      name: 'Slack',
      type: 'n8n-nodes-base.slack',
      typeVersion: 2,
      position: [400, 0],
      parameters: {},
    });
    const groups = sideBySide(diffWorkflows(mine, theirs), mine, theirs);
    expect(groups).toEqual([
      {
        title: 'Node “Webhook”',
        kind: 'changed',
        node: 'Webhook',
        rows: [
          { what: 'Parameter options.rawBody', mine: 'true', theirs: 'false' },
          { what: 'Parameter path', mine: 'orders-v2', theirs: 'orders' },
        ],
      },
      {
        title: 'Node “Set”',
        kind: 'changed',
        node: 'Set',
        rows: [{ what: 'Type version', mine: '3.4', theirs: '3.3' }],
      },
      {
        title: 'Node “Slack”',
        kind: 'added',
        node: 'Slack',
        rows: [{ what: 'Type', mine: 'n8n-nodes-base.slack', theirs: '—' }],
      },
      {
        title: 'Settings',
        kind: 'changed',
        node: null,
        rows: [{ what: 'Setting timezone', mine: 'Europe/Berlin', theirs: 'UTC' }],
      },
    ]);
  });

  it('finds a renamed node under its old name in n8n, and cuts long values', () => {
    const mine = base();
    const theirs = base();
    mine.nodes[1]!.name = 'Prepare';
    mine.connections = { Webhook: { main: [[{ node: 'Prepare', type: 'main', index: 0 }]] } };
    const [group] = sideBySide(diffWorkflows(mine, theirs), mine, theirs);
    expect(group?.rows).toContainEqual({ what: 'Name', mine: 'Prepare', theirs: 'Set' });
    expect(showValue('x'.repeat(500))).toHaveLength(240);
    expect(showValue(undefined)).toBe('—');
  });
});
