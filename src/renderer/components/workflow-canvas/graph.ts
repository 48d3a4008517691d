/**
 * n8n workflow JSON ⇄ a graph the canvas draws, and the edits the canvas makes, as pure functions.
 *
 * n8n's connection model: `connections[sourceName][type][outputIndex]` is the list of targets
 * `{ node, type, index }` (index = the target's input of that type). A slot n8n never used is
 * `null` or `[]`; both, the slot count and the key order are kept by `shape`, so a workflow that
 * goes to the graph and back is byte-for-byte the same JSON.
 */
import type { Connections, WorkflowDefinition, WorkflowNode } from '../../../shared/contract';
import { isTriggerType } from '../../../shared/drafts/workflow-model';

/** One link, by node names as n8n keeps them. */
export interface GraphEdge {
  source: string;
  /** Output type: `main`, or an AI port such as `ai_languageModel`. */
  type: string;
  outputIndex: number;
  target: string;
  /** The target's input type (n8n writes the same as `type` in practice, but keeps it apart). */
  targetType: string;
  inputIndex: number;
}

/** The ports a node shows, by type: how many inputs and outputs of each. */
export interface NodePorts {
  inputs: { type: string; index: number; label?: string }[];
  outputs: { type: string; index: number; label?: string }[];
}

export interface GraphNode {
  /** Unique within the graph: the node's name (n8n links by name), made unique when two share one. */
  id: string;
  node: WorkflowNode;
  ports: NodePorts;
}

/** How each source's slots looked in the JSON: null slots, empty slots, their count. */
type Shape = Record<string, Record<string, ('null' | 'empty' | 'used')[]>>;

export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  shape: Shape;
}

/** Known output labels of common n8n nodes (so an If's branches read "true"/"false" as in n8n). */
function outputLabels(node: WorkflowNode): string[] | null {
  const p = node.parameters;
  switch (node.type) {
    case 'n8n-nodes-base.if':
      return ['true', 'false'];
    case 'n8n-nodes-base.filter':
      return null;
    case 'n8n-nodes-base.splitInBatches':
      return node.typeVersion >= 3 ? ['done', 'loop'] : null;
    case 'n8n-nodes-base.compareDatasets':
      return ['In A only', 'Same', 'Different', 'In B only'];
    case 'n8n-nodes-base.switch': {
      const rules = (p.rules as { values?: unknown[]; rules?: unknown[] } | undefined) ?? {};
      const list = Array.isArray(rules.values) ? rules.values : Array.isArray(rules.rules) ? rules.rules : [];
      const options = (p.options as { fallbackOutput?: unknown } | undefined) ?? {};
      const count = Math.max(1, list.length) + (options.fallbackOutput === 'extra' ? 1 : 0);
      if (typeof p.numberOutputs === 'number') return Array.from({ length: p.numberOutputs }, (_, i) => String(i));
      return Array.from({ length: count }, (_, i) => String(i));
    }
    default:
      return null;
  }
}

/**
 * AI sub-nodes (a chat model, a memory, a tool…) plug into an agent's AI ports and have no main
 * input or output in n8n.
 */
export function isSubNode(type: string): boolean {
  return /^@n8n\/n8n-nodes-langchain\.(lm|memory|tool|embeddings|outputParser|textSplitter|document|retriever|reranker)/.test(
    type,
  );
}

/** How many main inputs a node type has, where it is not one. */
function mainInputs(node: WorkflowNode): number {
  if (isTriggerType(node.type) || isSubNode(node.type)) return 0;
  if (node.type === 'n8n-nodes-base.merge') {
    const n = node.parameters.numberInputs;
    return typeof n === 'number' && n >= 2 ? n : 2;
  }
  return 1;
}

/** The ports of each node: what its type has, plus any port the connections use. */
function portsOf(nodes: WorkflowNode[], edges: GraphEdge[]): Map<string, NodePorts> {
  const ports = new Map<string, NodePorts>();
  const counts = new Map<string, { inputs: Map<string, number>; outputs: Map<string, number> }>();
  const bump = (m: Map<string, number>, type: string, index: number) =>
    m.set(type, Math.max(m.get(type) ?? 0, index + 1));
  for (const node of nodes) {
    if (counts.has(node.name)) continue;
    const labels = outputLabels(node);
    const inputs = new Map<string, number>();
    const outputs = new Map<string, number>(isSubNode(node.type) ? [] : [['main', labels?.length ?? 1]]);
    if (mainInputs(node) > 0) inputs.set('main', mainInputs(node));
    counts.set(node.name, { inputs, outputs });
  }
  for (const e of edges) {
    const s = counts.get(e.source);
    if (s) bump(s.outputs, e.type, e.outputIndex);
    const t = counts.get(e.target);
    if (t) bump(t.inputs, e.targetType, e.inputIndex);
  }
  for (const node of nodes) {
    const c = counts.get(node.name);
    if (!c || ports.has(node.name)) continue;
    const labels = outputLabels(node);
    const list = (m: Map<string, number>, named: boolean) =>
      [...m.entries()].flatMap(([type, n]) =>
        Array.from({ length: n }, (_, index) => {
          const label = named && type === 'main' ? labels?.[index] : type === 'main' ? undefined : portLabel(type);
          return label === undefined ? { type, index } : { type, index, label };
        }),
      );
    ports.set(node.name, { inputs: list(c.inputs, false), outputs: list(c.outputs, true) });
  }
  return ports;
}

/** `ai_languageModel` → `Model`: the words n8n shows under an AI port. */
export function portLabel(type: string): string {
  const words: Record<string, string> = {
    ai_languageModel: 'Model',
    ai_memory: 'Memory',
    ai_tool: 'Tool',
    ai_outputParser: 'Output parser',
    ai_embedding: 'Embedding',
    ai_document: 'Document',
    ai_textSplitter: 'Text splitter',
    ai_vectorStore: 'Vector store',
    ai_retriever: 'Retriever',
  };
  return words[type] ?? type.replace(/^ai_/, '');
}

/** The id of the node at `index` in the graph (its name; `name#2` for a second node of that name). */
function idsOf(nodes: WorkflowNode[]): string[] {
  const seen = new Map<string, number>();
  return nodes.map((n) => {
    const count = (seen.get(n.name) ?? 0) + 1;
    seen.set(n.name, count);
    return count === 1 ? n.name : `${n.name}#${count}`;
  });
}

/** Workflow JSON → graph. Links to nodes that do not exist are kept (validation names them). */
export function toGraph(workflow: Pick<WorkflowDefinition, 'nodes' | 'connections'>): WorkflowGraph {
  const edges: GraphEdge[] = [];
  const shape: Shape = {};
  for (const [source, byType] of Object.entries(workflow.connections)) {
    const sourceShape: Shape[string] = (shape[source] = {});
    for (const [type, slots] of Object.entries(byType)) {
      sourceShape[type] = slots.map((targets, outputIndex) => {
        for (const t of targets ?? [])
          edges.push({ source, type, outputIndex, target: t.node, targetType: t.type, inputIndex: t.index });
        return targets === null ? 'null' : targets.length === 0 ? 'empty' : 'used';
      });
    }
  }
  const ports = portsOf(workflow.nodes, edges);
  const ids = idsOf(workflow.nodes);
  const nodes = workflow.nodes.map((node, i) => ({
    id: ids[i] ?? node.name,
    node,
    ports: ports.get(node.name) ?? { inputs: [], outputs: [] },
  }));
  return { nodes, edges, shape };
}

/** Graph → workflow JSON: the nodes as they are, connections rebuilt in n8n's shape. */
export function fromGraph(graph: WorkflowGraph): Pick<WorkflowDefinition, 'nodes' | 'connections'> {
  const connections: Connections = {};
  const sources = [...Object.keys(graph.shape), ...graph.edges.map((e) => e.source)];
  for (const source of sources) {
    if (connections[source]) continue;
    const own = graph.edges.filter((e) => e.source === source);
    const known = graph.shape[source];
    if (!known && own.length === 0) continue;
    const byType: Connections[string] = {};
    const types = [...Object.keys(known ?? {}), ...own.map((e) => e.type)];
    for (const type of types) {
      if (byType[type]) continue;
      const ofType = own.filter((e) => e.type === type);
      const was = known?.[type] ?? [];
      const length = Math.max(was.length, ...ofType.map((e) => e.outputIndex + 1));
      byType[type] = Array.from({ length }, (_, outputIndex) => {
        const targets = ofType
          .filter((e) => e.outputIndex === outputIndex)
          .map((e) => ({ node: e.target, type: e.targetType, index: e.inputIndex }));
        if (targets.length > 0) return targets;
        return was[outputIndex] === 'null' ? null : [];
      });
    }
    connections[source] = byType;
  }
  return { nodes: graph.nodes.map((n) => n.node), connections };
}

const sameLink = (a: GraphEdge, b: GraphEdge) =>
  a.source === b.source &&
  a.type === b.type &&
  a.outputIndex === b.outputIndex &&
  a.target === b.target &&
  a.targetType === b.targetType &&
  a.inputIndex === b.inputIndex;

/** A stable id for an edge (React Flow's key, test ids). */
export const edgeId = (e: GraphEdge) =>
  `${e.source}|${e.type}:${e.outputIndex}→${e.target}|${e.targetType}:${e.inputIndex}`;

/** Applies a graph edit and writes the result back into the workflow. */
function edit<W extends Pick<WorkflowDefinition, 'nodes' | 'connections'>>(
  workflow: W,
  change: (g: WorkflowGraph) => WorkflowGraph,
): W {
  return { ...workflow, ...fromGraph(change(toGraph(workflow))) };
}

/** Adds a link (no-op when it exists, or when a node would feed itself). */
export function connect<W extends Pick<WorkflowDefinition, 'nodes' | 'connections'>>(workflow: W, link: GraphEdge): W {
  if (link.source === link.target) return workflow;
  return edit(workflow, (g) => (g.edges.some((e) => sameLink(e, link)) ? g : { ...g, edges: [...g.edges, link] }));
}

/** Removes links. */
export function disconnect<W extends Pick<WorkflowDefinition, 'nodes' | 'connections'>>(
  workflow: W,
  links: GraphEdge[],
): W {
  return edit(workflow, (g) => ({ ...g, edges: g.edges.filter((e) => !links.some((l) => sameLink(e, l))) }));
}

/** Removes nodes (by index) and every link from or to them. */
export function removeNodes<W extends Pick<WorkflowDefinition, 'nodes' | 'connections'>>(
  workflow: W,
  indexes: number[],
): W {
  const gone = new Set(indexes.map((i) => workflow.nodes[i]?.name).filter((n): n is string => n !== undefined));
  // A name another (kept) node still carries keeps its links: n8n could not tell them apart.
  const kept = workflow.nodes.filter((_, i) => !indexes.includes(i));
  for (const n of kept) gone.delete(n.name);
  return edit(workflow, (g) => ({
    ...g,
    nodes: g.nodes.filter((_, i) => !indexes.includes(i)),
    edges: g.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
    shape: Object.fromEntries(Object.entries(g.shape).filter(([source]) => !gone.has(source))),
  }));
}

/** Moves nodes (by index) to new positions, rounded to whole pixels as n8n stores them. */
export function moveNodes<W extends Pick<WorkflowDefinition, 'nodes'>>(
  workflow: W,
  moves: Map<number, [number, number]>,
): W {
  return {
    ...workflow,
    nodes: workflow.nodes.map((n, i) => {
      const to = moves.get(i);
      return to ? { ...n, position: [Math.round(to[0]), Math.round(to[1])] as [number, number] } : n;
    }),
  };
}

/** "HTTP Request" → "HTTP Request1", as n8n names a second node of a kind. */
export function uniqueName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  const stem = base.replace(/\d+$/, '');
  let n = 1;
  while (names.has(`${stem}${n}`)) n++;
  return `${stem}${n}`;
}

/** `n8n-nodes-base.httpRequest` → `HTTP Request`; `@n8n/n8n-nodes-langchain.agent` → `Agent`. */
export function typeLabel(type: string): string {
  const known: Record<string, string> = {
    'n8n-nodes-base.httpRequest': 'HTTP Request',
    'n8n-nodes-base.noOp': 'No Operation',
    'n8n-nodes-base.if': 'If',
    'n8n-nodes-base.set': 'Edit Fields (Set)',
    'n8n-nodes-base.manualTrigger': 'Manual Trigger',
    'n8n-nodes-base.scheduleTrigger': 'Schedule Trigger',
    'n8n-nodes-base.respondToWebhook': 'Respond to Webhook',
    'n8n-nodes-base.splitInBatches': 'Loop Over Items',
    'n8n-nodes-base.executeWorkflowTrigger': 'Execute Workflow Trigger',
    '@n8n/n8n-nodes-langchain.agent': 'AI Agent',
    '@n8n/n8n-nodes-langchain.chatTrigger': 'Chat Trigger',
    '@n8n/n8n-nodes-langchain.lmChatOpenAi': 'OpenAI Chat Model',
    '@n8n/n8n-nodes-langchain.lmChatAnthropic': 'Anthropic Chat Model',
    '@n8n/n8n-nodes-langchain.memoryBufferWindow': 'Window Buffer Memory',
  };
  if (known[type]) return known[type];
  const short = type.slice(type.lastIndexOf('.') + 1);
  return short
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase())
    .replace(/\bApi\b/g, 'API');
}

/** A new node of `type`, named as n8n would, placed at `position`. */
export function addNode<W extends Pick<WorkflowDefinition, 'nodes'>>(
  workflow: W,
  type: string,
  typeVersion: number,
  position: [number, number],
): W {
  const node: WorkflowNode = {
    id: crypto.randomUUID(),
    name: uniqueName(
      typeLabel(type),
      workflow.nodes.map((n) => n.name),
    ),
    type,
    typeVersion,
    position: [Math.round(position[0]), Math.round(position[1])],
    parameters: {},
  };
  return { ...workflow, nodes: [...workflow.nodes, node] };
}

/** Where a new node goes: right of the rightmost node, on the row of the last one added. */
export function nextPosition(nodes: WorkflowNode[]): [number, number] {
  if (nodes.length === 0) return [0, 0];
  const maxX = Math.max(...nodes.map((n) => n.position[0]));
  const last = nodes[nodes.length - 1];
  return [maxX + 220, last?.position[1] ?? 0];
}
