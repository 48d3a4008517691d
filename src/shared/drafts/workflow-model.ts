/**
 * Pure functions over n8n workflow definitions, shared by the core (push checks) and the
 * editor (live validation): validation with messages that name the node, a node-level diff,
 * and a rename that keeps connections pointing at the renamed node.
 */
import type { Connections, DraftIssue, WorkflowDefinition, WorkflowDiff, WorkflowNode } from '../contract/drafts';

/** Trigger types that do not end in "Trigger" (webhook, and the old cron/interval nodes). */
const EXTRA_TRIGGER_TYPES = new Set(['n8n-nodes-base.webhook', 'n8n-nodes-base.cron', 'n8n-nodes-base.interval']);

/** True for a node type that starts a workflow (Webhook, Manual/Schedule Trigger, any *Trigger). */
export function isTriggerType(type: string): boolean {
  return /trigger$/i.test(type) || EXTRA_TRIGGER_TYPES.has(type);
}

/** Every link as [source, output type, output index, target, input index]. */
export function listConnections(connections: Connections): [string, string, number, string, number][] {
  const out: [string, string, number, string, number][] = [];
  for (const [source, byType] of Object.entries(connections)) {
    for (const [type, outputs] of Object.entries(byType)) {
      outputs.forEach((targets, outputIndex) => {
        for (const t of targets ?? []) out.push([source, type, outputIndex, t.node, t.index]);
      });
    }
  }
  return out;
}

/** A link as the workflow diff writes it: `A[main 0] → B[0]`. */
export const describeLink = ([source, type, outputIndex, target, inputIndex]: [
  string,
  string,
  number,
  string,
  number,
]) => `${source}[${type} ${outputIndex}] → ${target}[${inputIndex}]`;

/** Findings that block a push; an empty list means the workflow can be pushed. */
export function validateWorkflow(workflow: WorkflowDefinition): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const seen = new Set<string>();
  for (const node of workflow.nodes) {
    if (!node.name.trim()) {
      issues.push({ node: null, message: `A node of type ${node.type || '(none)'} has no name: give it one.` });
      continue;
    }
    if (seen.has(node.name)) {
      issues.push({ node: node.name, message: `Two nodes are named "${node.name}": node names must be unique.` });
    }
    seen.add(node.name);
    if (!node.type.trim()) issues.push({ node: node.name, message: `Node "${node.name}" has no type.` });
  }
  for (const [source, , , target] of listConnections(workflow.connections)) {
    if (!seen.has(source)) {
      issues.push({
        node: source,
        message: `A connection starts at "${source}", which is not a node of this workflow.`,
      });
    }
    if (!seen.has(target)) {
      issues.push({
        node: seen.has(source) ? source : target,
        message: `"${source}" connects to "${target}", which is not a node of this workflow.`,
      });
    }
  }
  if (!workflow.nodes.some((n) => isTriggerType(n.type))) {
    issues.push({
      node: null,
      message: 'The workflow has no trigger node: add a Webhook, Manual Trigger or Schedule Trigger node.',
    });
  }
  return issues;
}

/**
 * Renames the node at `index`. Its connections follow it only when its old name was its own:
 * while two nodes share a name the links cannot tell them apart, so they are left alone.
 */
export function renameNodeAt(workflow: WorkflowDefinition, index: number, to: string): WorkflowDefinition {
  const node = workflow.nodes[index];
  if (!node) return workflow;
  const shared = workflow.nodes.some((n, i) => i !== index && n.name === node.name);
  const base = shared ? workflow : renameNode(workflow, node.name, to);
  return { ...base, nodes: base.nodes.map((n, i) => (i === index ? { ...node, name: to } : n)) };
}

/** Renames a node and every connection that starts or ends at it. */
export function renameNode(workflow: WorkflowDefinition, from: string, to: string): WorkflowDefinition {
  const connections: Connections = {};
  for (const [source, byType] of Object.entries(workflow.connections)) {
    const renamed: Connections[string] = {};
    for (const [type, outputs] of Object.entries(byType)) {
      renamed[type] = outputs.map((targets) => targets?.map((t) => (t.node === from ? { ...t, node: to } : t)) ?? null);
    }
    connections[source === from ? to : source] = renamed;
  }
  return {
    ...workflow,
    nodes: workflow.nodes.map((n) => (n.name === from ? { ...n, name: to } : n)),
    connections,
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dotted paths where two JSON values differ (`options.timeout`, `values.0.name`). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const paths: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      paths.push(...changedPaths(a[i], b[i], prefix ? `${prefix}.${i}` : String(i)));
    }
    return paths;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(value)'];
}

const NODE_FIELDS = [
  'type',
  'typeVersion',
  'position',
  'credentials',
  'disabled',
  'webhookId',
  'notes',
  'continueOnFail',
  'onError',
  'retryOnFail',
  'maxTries',
  'waitBetweenTries',
  'executeOnce',
  'alwaysOutputData',
] as const satisfies readonly (keyof WorkflowNode)[];

/** Pairs draft nodes with remote nodes: by n8n node id first, then by name. */
function pairNodes(mine: WorkflowNode[], theirs: WorkflowNode[]) {
  const pairs: [WorkflowNode, WorkflowNode][] = [];
  const unmatchedTheirs = new Set(theirs);
  const unmatchedMine: WorkflowNode[] = [];
  for (const m of mine) {
    const byId = m.id ? theirs.find((t) => t.id === m.id && unmatchedTheirs.has(t)) : undefined;
    const match = byId ?? theirs.find((t) => t.name === m.name && unmatchedTheirs.has(t));
    if (match) {
      pairs.push([m, match]);
      unmatchedTheirs.delete(match);
    } else unmatchedMine.push(m);
  }
  return { pairs, added: unmatchedMine, removed: [...unmatchedTheirs] };
}

/** Node-level diff of a draft (mine) against the remote workflow (theirs). */
export function diffWorkflows(mine: WorkflowDefinition, theirs: WorkflowDefinition): WorkflowDiff {
  const { pairs, added, removed } = pairNodes(mine.nodes, theirs.nodes);
  const changedNodes = pairs.flatMap(([m, t]) => {
    const fields: string[] = NODE_FIELDS.filter((f) => JSON.stringify(m[f]) !== JSON.stringify(t[f]));
    if (m.name !== t.name) fields.unshift('name');
    const parameterPaths = changedPaths(m.parameters, t.parameters);
    if (parameterPaths.length) fields.push('parameters');
    return fields.length
      ? [{ name: m.name, previousName: m.name !== t.name ? t.name : null, fields, parameterPaths }]
      : [];
  });
  const mineLinks = new Set(listConnections(mine.connections).map(describeLink));
  const theirLinks = new Set(listConnections(theirs.connections).map(describeLink));
  const diff = {
    nameChanged: mine.name !== theirs.name,
    addedNodes: added.map((n) => n.name),
    removedNodes: removed.map((n) => n.name),
    changedNodes,
    addedConnections: [...mineLinks].filter((l) => !theirLinks.has(l)),
    removedConnections: [...theirLinks].filter((l) => !mineLinks.has(l)),
    changedSettings: changedPaths(mine.settings, theirs.settings).map((p) => p.split('.')[0] ?? p),
  };
  diff.changedSettings = [...new Set(diff.changedSettings)];
  const identical =
    !diff.nameChanged &&
    [diff.addedNodes, diff.removedNodes, diff.changedNodes, diff.addedConnections, diff.removedConnections]
      .concat([diff.changedSettings])
      .every((list) => list.length === 0);
  return { ...diff, identical };
}
