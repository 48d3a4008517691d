import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '../../../shared/contract/drafts';
import { listConnections, renameNode, validateWorkflow } from '../../../shared/drafts/workflow-model';
import { jsonEqual, mergeWorkflows, MergeResolutionError, resolveMerge } from './merge';

const node = (id: string, name: string, parameters: Record<string, unknown> = {}): WorkflowNode => ({
  id,
  name,
  type: id === 'w' ? 'n8n-nodes-base.webhook' : 'n8n-nodes-base.set',
  typeVersion: 1,
  position: [0, 0],
  parameters,
});
const base: WorkflowDefinition = {
  name: 'Orders',
  nodes: [node('w', 'Webhook', { path: 'orders' }), node('s', 'Set', { fields: { a: 1 }, mode: 'manual' })],
  connections: { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
  settings: { executionOrder: 'v1' },
};
const withNode = (wf: WorkflowDefinition, id: string, patch: Partial<WorkflowNode>): WorkflowDefinition => ({
  ...wf,
  nodes: wf.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)),
});
const params = (wf: WorkflowDefinition, id: string) => wf.nodes.find((n) => n.id === id)?.parameters;
const links = (wf: WorkflowDefinition) => listConnections(wf.connections).map((l) => l.join(' '));

describe('three-way merge', () => {
  it('keeps both sides of non-overlapping parameter changes (priority here, channel there)', () => {
    const mine = withNode(base, 's', { parameters: { fields: { a: 1, priority: 'high' }, mode: 'manual' } });
    const theirs = withNode(base, 's', { parameters: { fields: { a: 1, channel: 'email' }, mode: 'manual' } });
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(params(result.merged, 's')).toEqual({
      fields: { a: 1, priority: 'high', channel: 'email' },
      mode: 'manual',
    });
    expect(result.changes).toEqual(
      expect.arrayContaining([
        { node: 'Set', what: 'parameters.fields.priority', from: 'mine' },
        { node: 'Set', what: 'parameters.fields.channel', from: 'theirs' },
      ]),
    );
    expect(validateWorkflow(result.merged)).toEqual([]);
  });

  it('makes an overlapping change a conflict with the three values, resolved one by one', () => {
    const mine = withNode(base, 's', { parameters: { fields: { a: 2 }, mode: 'raw' }, position: [10, 10] });
    const theirs = withNode(base, 's', { parameters: { fields: { a: 3 }, mode: 'manual' }, position: [20, 20] });
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts.map((c) => [c.node, c.what])).toEqual([
      ['Set', 'position'],
      ['Set', 'parameters.fields.a'],
    ]);
    const a = result.conflicts[1];
    expect(a).toMatchObject({
      base: { present: true, value: 1 },
      mine: { present: true, value: 2 },
      theirs: { present: true, value: 3 },
    });
    // mode changed on my side only: merged without asking.
    expect(params(result.merged, 's')?.mode).toBe('raw');
    const [pos, field] = result.conflicts;
    const resolved = resolveMerge(base, mine, theirs, [
      { conflictId: pos?.id ?? '', choice: 'theirs' },
      { conflictId: field?.id ?? '', choice: 'edit', value: 23 },
    ]);
    const set = resolved.workflow.nodes.find((n) => n.id === 's');
    expect(set?.position).toEqual([20, 20]);
    expect(set?.parameters).toEqual({ fields: { a: 23 }, mode: 'raw' });
  });

  it('refuses to resolve with a conflict left open or an unknown conflict id', () => {
    const mine = withNode(base, 's', { typeVersion: 2 });
    const theirs = withNode(base, 's', { typeVersion: 3 });
    expect(() => resolveMerge(base, mine, theirs, [])).toThrow(MergeResolutionError);
    const id = mergeWorkflows(base, mine, theirs).conflicts[0]?.id ?? '';
    expect(() =>
      resolveMerge(base, mine, theirs, [
        { conflictId: id, choice: 'mine' },
        { conflictId: '["nope"]', choice: 'mine' },
      ]),
    ).toThrow(/No conflict/);
    expect(resolveMerge(base, mine, theirs, [{ conflictId: id, choice: 'mine' }]).workflow.nodes[1]?.typeVersion).toBe(
      2,
    );
  });

  it('follows a rename on one side while the other side adds a link from that node', () => {
    const mine = renameNode(base, 'Set', 'Enrich');
    const theirs: WorkflowDefinition = {
      ...base,
      nodes: [...base.nodes, node('n', 'Notify')],
      connections: {
        ...base.connections,
        Set: { main: [[{ node: 'Notify', type: 'main', index: 0 }]] },
      },
    };
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.merged.nodes.map((n) => n.name)).toEqual(['Webhook', 'Enrich', 'Notify']);
    expect(links(result.merged).sort()).toEqual(['Enrich main 0 Notify 0', 'Webhook main 0 Enrich 0']);
    expect(validateWorkflow(result.merged)).toEqual([]);
  });

  it('renaming the same node differently on both sides is one conflict on its name', () => {
    const result = mergeWorkflows(base, renameNode(base, 'Set', 'A'), renameNode(base, 'Set', 'B'));
    expect(result.conflicts.map((c) => [c.what, c.mine.value, c.theirs.value])).toEqual([['name', 'A', 'B']]);
  });

  it('a node deleted on one side and changed on the other is a conflict about the whole node', () => {
    const mine: WorkflowDefinition = { ...base, nodes: [base.nodes[0] as WorkflowNode], connections: {} };
    const theirs = withNode(base, 's', { parameters: { fields: { a: 9 }, mode: 'manual' } });
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ node: 'Set', what: '(node)', mine: { present: false } });
    expect(result.conflicts[0]?.theirs.present).toBe(true);
    const id = result.conflicts[0]?.id ?? '';
    const deleted = resolveMerge(base, mine, theirs, [{ conflictId: id, choice: 'mine' }]).workflow;
    expect(deleted.nodes.map((n) => n.name)).toEqual(['Webhook']);
    expect(deleted.connections).toEqual({});
    const kept = resolveMerge(base, mine, theirs, [{ conflictId: id, choice: 'theirs' }]).workflow;
    expect(params(kept, 's')).toEqual({ fields: { a: 9 }, mode: 'manual' });
    // Mine removed the link Webhook → Set (a separate change): it stays removed.
    expect(links(kept)).toEqual([]);
  });

  it('drops, and reports, a link added on one side to a node deleted on the other', () => {
    const mine: WorkflowDefinition = {
      ...base,
      nodes: [...base.nodes, node('n', 'Notify')],
      connections: { ...base.connections, Set: { main: [[{ node: 'Notify', type: 'main', index: 0 }]] } },
    };
    const theirs: WorkflowDefinition = {
      ...base,
      nodes: [base.nodes[0] as WorkflowNode],
      connections: {},
    };
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.merged.nodes.map((n) => n.name)).toEqual(['Webhook', 'Notify']);
    expect(result.droppedLinks).toEqual(['(deleted node)[main 0] → Notify[0]']);
    expect(validateWorkflow(result.merged)).toEqual([]);
  });

  it('treats plain arrays as values and merges arrays of id-carrying elements by id', () => {
    const b = withNode(base, 's', {
      parameters: {
        values: [{ name: 'a' }],
        assignments: {
          assignments: [
            { id: 'x', name: 'x', value: 1 },
            { id: 'y', name: 'y', value: 2 },
          ],
        },
      },
    });
    const mine = withNode(b, 's', {
      parameters: {
        values: [{ name: 'a' }, { name: 'm' }],
        assignments: {
          assignments: [
            { id: 'x', name: 'x', value: 10 },
            { id: 'y', name: 'y', value: 2 },
          ],
        },
      },
    });
    const theirs = withNode(b, 's', {
      parameters: {
        values: [{ name: 'a' }, { name: 't' }],
        assignments: {
          assignments: [
            { id: 'x', name: 'x', value: 1 },
            { id: 'z', name: 'z', value: 3 },
          ],
        },
      },
    });
    const result = mergeWorkflows(b, mine, theirs);
    expect(result.conflicts.map((c) => c.what)).toEqual(['parameters.values']);
    expect(params(result.merged, 's')?.assignments).toEqual({
      assignments: [
        { id: 'x', name: 'x', value: 10 },
        { id: 'z', name: 'z', value: 3 },
      ],
    });
  });

  it('merges workflow settings and name per path', () => {
    const mine = { ...base, name: 'Orders v2', settings: { executionOrder: 'v1', timezone: 'Europe/Paris' } };
    const theirs = { ...base, settings: { executionOrder: 'v1', saveManualExecutions: false } };
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.merged.name).toBe('Orders v2');
    expect(result.merged.settings).toEqual({
      executionOrder: 'v1',
      timezone: 'Europe/Paris',
      saveManualExecutions: false,
    });
  });

  it('pairs nodes by name when ids are missing, and never pairs two different ids by name', () => {
    const noIds = { ...base, nodes: base.nodes.map(({ id: _id, ...n }) => n) };
    const mine = { ...noIds, nodes: noIds.nodes.map((n) => (n.name === 'Set' ? { ...n, notes: 'mine' } : n)) };
    const theirs = { ...noIds, nodes: noIds.nodes.map((n) => (n.name === 'Set' ? { ...n, disabled: true } : n)) };
    const merged = mergeWorkflows(noIds, mine, theirs);
    expect(merged.conflicts).toEqual([]);
    expect(merged.merged.nodes[1]).toMatchObject({ notes: 'mine', disabled: true });
    // Deleted and re-created under the same name on one side: a different node.
    const recreated = {
      ...base,
      nodes: [base.nodes[0] as WorkflowNode, { ...(base.nodes[1] as WorkflowNode), id: 's2', typeVersion: 5 }],
    };
    const theirs2 = withNode(base, 's', { notes: 'edited' });
    const result = mergeWorkflows(base, recreated, theirs2);
    expect(result.conflicts.map((c) => c.what)).toEqual(['(node)']);
  });

  it('without a base every difference is a conflict and nothing is taken silently', () => {
    const mine = withNode(base, 's', { notes: 'mine' });
    const theirs = withNode(base, 's', { typeVersion: 2 });
    const result = mergeWorkflows(null, mine, theirs);
    expect(result.conflicts.map((c) => c.what).sort()).toEqual(['notes', 'typeVersion']);
    expect(result.conflicts.find((c) => c.what === 'notes')?.base).toEqual({ present: false });
  });

  it('survives hostile values: odd keys, deep nesting, nulls', () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 200; i++) cur = cur[`k${i}`] = {} as Record<string, unknown>;
    const mine = withNode(base, 's', { parameters: { __proto__x: 1, deep, 'a.b': null, '\u0000': [] } });
    const theirs = withNode(base, 's', { parameters: { deep: { k0: null }, constructor: 'x' } });
    const result = mergeWorkflows(base, mine, theirs);
    expect(result.conflicts.length).toBeGreaterThan(0);
    const proto = (v: number) => JSON.parse(`{"__proto__": ${v}, "q": 1}`) as Record<string, unknown>;
    const hostile = mergeWorkflows(
      base,
      withNode(base, 's', { parameters: proto(1) }),
      withNode(base, 's', { parameters: proto(2) }),
    );
    expect(hostile.conflicts.map((c) => c.what)).toEqual(['parameters.__proto__']);
    const kept = resolveMerge(
      base,
      withNode(base, 's', { parameters: proto(1) }),
      withNode(base, 's', { parameters: proto(2) }),
      [{ conflictId: hostile.conflicts[0]?.id ?? '', choice: 'theirs' }],
    );
    expect(JSON.stringify(params(kept.workflow, 's'))).toBe('{"__proto__":2,"q":1}');
    expect(() =>
      resolveMerge(
        base,
        mine,
        theirs,
        result.conflicts.map((c) => ({ conflictId: c.id, choice: 'theirs' as const })),
      ),
    ).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const NAMES = ['Webhook', 'Set', 'IF', 'HTTP', 'Code', 'Merge'];
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3 },
    fc.integer(),
    fc.boolean(),
    fc.constantFrom('a', 'b', '={{ $json.x }}'),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z', 'options'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const workflowArb: fc.Arbitrary<WorkflowDefinition> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc
      .record({
        name: fc.constantFrom('Orders', 'Orders v2'),
        params: fc.array(fc.dictionary(fc.constantFrom('x', 'y', 'mode'), jsonValue, { maxKeys: 3 }), {
          minLength: names.length,
          maxLength: names.length,
        }),
        positions: fc.array(fc.tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -500, max: 500 })), {
          minLength: names.length,
          maxLength: names.length,
        }),
        links: fc.array(fc.tuple(fc.nat(names.length - 1), fc.nat(names.length - 1), fc.nat(1)), { maxLength: 6 }),
        settings: fc.dictionary(fc.constantFrom('timezone', 'executionOrder'), fc.constantFrom('v1', 'UTC'), {
          maxKeys: 2,
        }),
      })
      .map(({ name, params, positions, links: ls, settings }) => {
        const nodes = names.map((n, i): WorkflowNode => ({
          id: `id-${n}`,
          name: n,
          type: 'n8n-nodes-base.set',
          typeVersion: 1,
          position: positions[i] ?? [0, 0],
          parameters: params[i] ?? {},
        }));
        const connections: WorkflowDefinition['connections'] = {};
        const seen = new Set<string>();
        for (const [from, to, out] of ls) {
          const key = `${from}-${to}-${out}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const source = names[from] ?? '';
          const outputs = ((connections[source] ??= {}).main ??= []);
          while (outputs.length <= out) outputs.push([]);
          outputs[out]?.push({ node: names[to] ?? '', type: 'main', index: 0 });
        }
        return { name, nodes, connections, settings };
      }),
  );

/** The same workflow up to node order and link order. */
function normal(wf: WorkflowDefinition) {
  return {
    name: wf.name,
    settings: wf.settings,
    nodes: [...wf.nodes].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? '')),
    links: links(wf).sort(),
  };
}

describe('merge properties', () => {
  for (const shortcuts of [true, false]) {
    const opts = { shortcuts };
    it(`merge(base, x, base) = x and merge(base, base, y) = y (shortcuts ${shortcuts ? 'on' : 'off'})`, () => {
      fc.assert(
        fc.property(workflowArb, workflowArb, (b, x) => {
          const left = mergeWorkflows(b, x, b, opts);
          const right = mergeWorkflows(b, b, x, opts);
          expect(left.conflicts).toEqual([]);
          expect(right.conflicts).toEqual([]);
          expect(jsonEqual(normal(left.merged), normal(x))).toBe(true);
          expect(jsonEqual(normal(right.merged), normal(x))).toBe(true);
        }),
        { numRuns: 150 },
      );
    });

    it(`identical edits on both sides merge cleanly to that edit (shortcuts ${shortcuts ? 'on' : 'off'})`, () => {
      fc.assert(
        fc.property(workflowArb, workflowArb, (b, x) => {
          const result = mergeWorkflows(b, x, x, opts);
          expect(result.conflicts).toEqual([]);
          expect(jsonEqual(normal(result.merged), normal(x))).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('edits of different nodes never conflict and both land', () => {
    fc.assert(
      fc.property(workflowArb, jsonValue, jsonValue, (b, p, q) => {
        fc.pre(b.nodes.length >= 2);
        const [first, second] = b.nodes as [WorkflowNode, WorkflowNode];
        const mine = withNode(b, first.id ?? '', { parameters: { ...first.parameters, mineKey: p } });
        const theirs = withNode(b, second.id ?? '', { parameters: { ...second.parameters, theirKey: q } });
        const result = mergeWorkflows(b, mine, theirs, { shortcuts: false });
        expect(result.conflicts).toEqual([]);
        expect(jsonEqual(params(result.merged, first.id ?? '')?.mineKey, p)).toBe(true);
        expect(jsonEqual(params(result.merged, second.id ?? '')?.theirKey, q)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('resolving every conflict as mine gives mine; as theirs gives theirs (on the conflicting paths)', () => {
    fc.assert(
      fc.property(workflowArb, workflowArb, workflowArb, (b, x, y) => {
        const result = mergeWorkflows(b, x, y);
        const all = (choice: 'mine' | 'theirs') =>
          resolveMerge(
            b,
            x,
            y,
            result.conflicts.map((c) => ({ conflictId: c.id, choice })),
          ).workflow;
        if (jsonEqual(b, y)) expect(jsonEqual(normal(all('theirs')), normal(x))).toBe(true);
        if (jsonEqual(b, x)) expect(jsonEqual(normal(all('mine')), normal(y))).toBe(true);
        // Never throws, always a workflow of unique node keys.
        expect(new Set(all('theirs').nodes.map((n) => n.id)).size).toBe(all('theirs').nodes.length);
      }),
      { numRuns: 150 },
    );
  });
});
