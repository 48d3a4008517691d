import {
  Background,
  BackgroundVariant,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  getBezierPath,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type EdgeChange,
  type EdgeProps,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { WorkflowDefinition, WorkflowNode } from '../../../shared/contract';
import { describeLink, isTriggerType } from '../../../shared/drafts/workflow-model';
import { connect, disconnect, edgeId, moveNodes, toGraph, typeLabel, type GraphEdge, type NodePorts } from './graph';
import type { CanvasRun } from './execution-runs';
import styles from './WorkflowCanvas.module.css';

type Workflow = Pick<WorkflowDefinition, 'nodes' | 'connections'>;

export type { CanvasRun } from './execution-runs';

/** How a node differs in a compare: only in the newer side, only in the older, or in both but changed. */
export type NodeMark = 'added' | 'removed' | 'changed';
/** Compare marks on a read-only canvas: nodes by name, links by the diff's `A[main 0] → B[0]`. */
export interface CanvasMarks {
  nodes: Record<string, { kind: NodeMark; /** What changed ("parameters, position"). */ what?: string }>;
  links: Record<string, 'added' | 'removed'>;
}
const MARK_TEXT = { added: '+ added', removed: '− removed', changed: '~ changed' } as const;
const linkKey = (l: GraphEdge) => describeLink([l.source, l.type, l.outputIndex, l.target, l.inputIndex]);

interface NodeData extends Record<string, unknown> {
  node: WorkflowNode;
  ports: NodePorts;
  index: number;
  readOnly: boolean;
  /** Execution overlay: undefined on an editable canvas; null = did not run. */
  run?: CanvasRun | null;
  mark?: CanvasMarks['nodes'][string];
}
type FlowNode = Node<NodeData, 'n8n'>;
interface EdgeData extends Record<string, unknown> {
  link: GraphEdge;
  readOnly: boolean;
  onRemove(link: GraphEdge): void;
  /** Items that passed along it in an execution. */
  items?: number;
  mark?: 'added' | 'removed';
}
type FlowEdge = Edge<EdgeData, 'n8n'>;

const NODE_WIDTH = 160;
/**
 * How every canvas frames its workflow (on opening, after a resize, when a node is added): all of it,
 * centred, with a margin; never blown up past 100 % (two nodes stay node-sized), and not shrunk
 * below 30 % (text stays readable; a larger workflow is centred and panned).
 */
const FIT = { padding: 0.15, minZoom: 0.3, maxZoom: 1 } as const;
const handleId = (type: string, index: number) => `${type}:${index}`;
const parseHandle = (id: string | null | undefined): [string, number] | null => {
  const m = /^(.+):(\d+)$/.exec(id ?? '');
  return m?.[1] && m[2] ? [m[1], Number(m[2])] : null;
};

type Port = NodePorts['inputs'][number];
const SIDES = {
  in: { type: 'target', position: Position.Left, axis: 'top', ai: false },
  out: { type: 'source', position: Position.Right, axis: 'top', ai: false },
  aiIn: { type: 'target', position: Position.Bottom, axis: 'left', ai: true },
  aiOut: { type: 'source', position: Position.Top, axis: 'left', ai: true },
} as const;

/** One side's ports of a node, spread evenly along that side (main left/right, AI bottom/top). */
function Ports(props: {
  ports: Port[];
  side: keyof typeof SIDES;
  readOnly: boolean | undefined;
  title(p: Port): string;
  children?(p: Port): React.ReactNode;
}) {
  const side = SIDES[props.side];
  return props.ports.map((p, i) => (
    <Handle
      key={handleId(p.type, p.index)}
      id={handleId(p.type, p.index)}
      type={side.type}
      position={side.position}
      className={side.ai ? `${styles.handle} ${styles.aiHandle}` : styles.handle}
      style={{ [side.axis]: `${((i + 1) / (props.ports.length + 1)) * 100}%` }}
      isConnectable={!props.readOnly}
      title={props.title(p)}
    >
      {props.children?.(p)}
    </Handle>
  ));
}

/** Category of a type, for its colour and badge: n8n groups nodes the same way. */
function categoryOf(type: string): 'trigger' | 'ai' | 'logic' | 'action' {
  if (isTriggerType(type)) return 'trigger';
  if (type.startsWith('@n8n/n8n-nodes-langchain.')) return 'ai';
  if (/\.(if|switch|merge|filter|splitInBatches|splitOut|aggregate|wait|noOp|compareDatasets|code|set)$/.test(type))
    return 'logic';
  return 'action';
}
/** Short marks of common types, as recognisable as n8n's icons; others get their initials. */
const MARKS: Record<string, string> = {
  'n8n-nodes-base.webhook': 'WH',
  'n8n-nodes-base.manualTrigger': '▶',
  'n8n-nodes-base.scheduleTrigger': 'CRON',
  'n8n-nodes-base.httpRequest': 'HTTP',
  'n8n-nodes-base.set': 'SET',
  'n8n-nodes-base.if': 'IF',
  'n8n-nodes-base.switch': 'SW',
  'n8n-nodes-base.merge': 'MRG',
  'n8n-nodes-base.code': '{ }',
  'n8n-nodes-base.noOp': '→',
  'n8n-nodes-base.wait': 'WAIT',
  'n8n-nodes-base.respondToWebhook': '↩',
};
/** The badge: a known mark, else two initials ("Google Sheets" → "GS", "Slack" → "Sl"). */
const initials = (type: string) => {
  if (MARKS[type]) return MARKS[type];
  const words = typeLabel(type)
    .split(/[\s()]+/)
    .filter(Boolean);
  return words.length === 1
    ? (words[0] ?? '?').slice(0, 2)
    : words
        .slice(0, 2)
        .map((w) => w[0])
        .join('');
};

/** One n8n node: badge, name, type; inputs left, outputs right, AI ports below and above. */
const CanvasNode = memo(function CanvasNode({ id, data, selected }: NodeProps<FlowNode>) {
  const { node, ports, run, mark } = data;
  const update = useUpdateNodeInternals();
  const signature = JSON.stringify(ports);
  useEffect(() => update(id), [id, signature, update]);
  const mainIn = ports.inputs.filter((p) => p.type === 'main');
  const mainOut = ports.outputs.filter((p) => p.type === 'main');
  const aiIn = ports.inputs.filter((p) => p.type !== 'main');
  const aiOut = ports.outputs.filter((p) => p.type !== 'main');
  const rows = Math.max(mainIn.length, mainOut.length, 1);
  const category = categoryOf(node.type);
  const runState = run === undefined ? undefined : run === null ? 'idle' : run.status;
  return (
    <div
      className={styles.node}
      data-category={category}
      data-selected={selected ? 'true' : undefined}
      data-disabled={node.disabled ? 'true' : undefined}
      data-run={runState}
      data-mark={mark?.kind}
      style={{ minHeight: 30 + rows * 24 }}
      data-testid={`canvas-node-${node.name}`}
      title={node.notes ?? undefined}
    >
      <span className={styles.badge} aria-hidden>
        {initials(node.type)}
      </span>
      <span className={styles.text}>
        <span className={styles.name}>{node.name || '(unnamed)'}</span>
        <span className={styles.type}>
          {typeLabel(node.type)} · v{node.typeVersion}
          {node.disabled ? ' · disabled' : ''}
        </span>
        {run && (
          <span className={styles.runLine} data-testid={`canvas-run-${node.name}`}>
            {run.status === 'error' ? '✕ failed' : '✓'} {run.items} item{run.items === 1 ? '' : 's'}
            {run.runs > 1 ? ` · ${run.runs} runs` : ''}
          </span>
        )}
        {run === null && <span className={styles.runLine}>did not run</span>}
        {mark && (
          <span className={styles.markLine} data-testid={`canvas-mark-${node.name}`} title={mark.what}>
            {MARK_TEXT[mark.kind]}
            {mark.what ? `: ${mark.what}` : ''}
          </span>
        )}
      </span>
      <Ports ports={mainIn} side="in" readOnly={data.readOnly} title={(p) => `Input ${p.index + 1}`} />
      <Ports ports={mainOut} side="out" readOnly={data.readOnly} title={(p) => `Output ${p.label ?? p.index + 1}`}>
        {(p) => p.label && <span className={styles.portLabel}>{p.label}</span>}
      </Ports>
      <Ports ports={aiIn} side="aiIn" readOnly={data.readOnly} title={(p) => `${p.label ?? p.type} input`}>
        {(p) => <span className={styles.aiLabel}>{p.label}</span>}
      </Ports>
      <Ports ports={aiOut} side="aiOut" readOnly={data.readOnly} title={(p) => `${p.label ?? p.type} output`} />
    </div>
  );
});

/** A link: n8n's curve; a remove button on hover or selection (editable canvas), item counts after a run. */
function CanvasEdge(props: EdgeProps<FlowEdge>) {
  const [path, labelX, labelY] = getBezierPath(props);
  const data = props.data;
  const ai = data?.link.type !== 'main';
  const mark = data?.mark;
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        className={mark ? `${styles.edgePath} ${styles[`edge-${mark}`]}` : styles.edgePath}
        data-ai={ai ? 'true' : undefined}
        interactionWidth={18}
        style={ai || mark === 'removed' ? { strokeDasharray: '6 4' } : undefined}
      />
      {data && (props.selected || data.items !== undefined || mark) && (
        <EdgeLabelRenderer>
          <div
            className={styles.edgeLabel}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {mark && (
              <span
                className={`${styles.linkMark} ${styles[`mark-${mark}`]}`}
                data-testid={`canvas-link-mark-${data.link.source}-${data.link.target}`}
              >
                {mark === 'added' ? '+ added' : '− removed'}
              </span>
            )}
            {data.items !== undefined && (
              <span className={styles.edgeItems}>
                {data.items} item{data.items === 1 ? '' : 's'}
              </span>
            )}
            {!data.readOnly && props.selected && (
              <button
                type="button"
                className={styles.edgeRemove}
                onClick={() => data.onRemove(data.link)}
                aria-label={`Remove the link ${data.link.source} → ${data.link.target}`}
                title="Remove this link (Delete)"
                data-testid={`canvas-edge-remove-${data.link.source}-${data.link.target}`}
              >
                ×
              </button>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const nodeTypes = { n8n: CanvasNode };
const edgeTypes = { n8n: CanvasEdge };

const editableTarget = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

export interface WorkflowCanvasProps {
  workflow: Workflow;
  /** An accessible name for the canvas ("Canvas of Orders"). */
  label: string;
  readOnly?: boolean;
  /** Execution overlay by node name (read-only canvases of an execution). */
  runs?: Record<string, CanvasRun>;
  /** Compare marks (read-only canvases of two versions side by side). */
  marks?: CanvasMarks;
  /** Selected nodes, by index in `workflow.nodes`. */
  selection?: number[];
  onSelectionChange?(indexes: number[]): void;
  /** One undoable edit; `what` names it ("Moved Set"). */
  onChange?(next: Workflow, what: string): void;
  /** Delete pressed on the selection (nodes by index; links picked on the canvas are removed here). */
  onDeleteNodes?(indexes: number[]): void;
  onUndo?(): void;
  onRedo?(): void;
  height?: number | string;
  testId?: string;
  /** The view is fitted again whenever this changes (the canvas was resized, e.g. expanded). */
  fitKey?: string | number;
}

/**
 * An n8n workflow drawn as n8n draws it (positions from the JSON, n8n's connection model):
 * pan, zoom, select (click, shift-click, shift-drag a box), drag, connect an output to an
 * input, remove links and nodes; Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z when the focus is not in a
 * text field. The caller owns the workflow and the undo history.
 */
export function WorkflowCanvas(props: WorkflowCanvasProps) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}

function CanvasInner(props: WorkflowCanvasProps) {
  const { workflow, readOnly = false, runs, marks } = props;
  const graph = useMemo(() => toGraph(workflow), [workflow]);
  const [dragging, setDragging] = useState<Map<string, { x: number; y: number }>>(new Map());
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const selection = useMemo(() => new Set(props.selection ?? []), [props.selection]);
  const latest = useRef(props);
  latest.current = props;
  const indexOf = useMemo(() => new Map(graph.nodes.map((n, i) => [n.id, i])), [graph]);

  // A node added off screen is brought into view (the whole workflow is fitted again, as after opening).
  const flow = useReactFlow();
  const count = useRef(graph.nodes.length);
  useEffect(() => {
    const grew = graph.nodes.length > count.current;
    count.current = graph.nodes.length;
    if (!grew) return;
    const frame = requestAnimationFrame(() => void flow.fitView(FIT));
    return () => cancelAnimationFrame(frame);
  }, [graph.nodes.length, flow]);
  const firstFit = useRef(true);
  useEffect(() => {
    if (firstFit.current) {
      firstFit.current = false;
      return;
    }
    const frame = requestAnimationFrame(() => void flow.fitView(FIT));
    return () => cancelAnimationFrame(frame);
  }, [props.fitKey, flow]);

  const removeLinks = useCallback((links: GraphEdge[]) => {
    const p = latest.current;
    if (links.length === 0 || !p.onChange) return;
    const what =
      links.length === 1 && links[0]
        ? `Removed the link ${links[0].source} → ${links[0].target}`
        : `Removed ${links.length} links`;
    p.onChange(disconnect(p.workflow, links), what);
    setSelectedEdges(new Set());
  }, []);

  const nodes: FlowNode[] = useMemo(
    () =>
      graph.nodes.map((g, index) => {
        const run = runs ? (runs[g.node.name] ?? null) : undefined;
        const mark = marks?.nodes[g.node.name];
        return {
          id: g.id,
          type: 'n8n',
          position: dragging.get(g.id) ?? { x: g.node.position[0], y: g.node.position[1] },
          data: {
            node: g.node,
            ports: g.ports,
            index,
            readOnly,
            ...(run !== undefined ? { run } : {}),
            ...(mark ? { mark } : {}),
          },
          selected: selection.has(index),
          width: NODE_WIDTH,
          ariaLabel: `${g.node.name}, ${typeLabel(g.node.type)}${mark ? `, ${mark.kind}` : ''}`,
        };
      }),
    [graph, dragging, selection, readOnly, runs, marks],
  );

  const edges: FlowEdge[] = useMemo(() => {
    const ids = new Set(graph.nodes.map((n) => n.id));
    return graph.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((link) => {
        const id = edgeId(link);
        const ran = runs?.[link.source];
        const mark = marks?.links[linkKey(link)];
        return {
          id,
          type: 'n8n',
          source: link.source,
          target: link.target,
          sourceHandle: handleId(link.type, link.outputIndex),
          targetHandle: handleId(link.targetType, link.inputIndex),
          selected: selectedEdges.has(id),
          data: {
            link,
            readOnly,
            onRemove: (l: GraphEdge) => removeLinks([l]),
            ...(ran ? { items: ran.items } : {}),
            ...(mark ? { mark } : {}),
          },
          ariaLabel: `Link ${link.source} → ${link.target}${mark ? `, ${mark}` : ''}`,
        };
      });
  }, [graph, selectedEdges, readOnly, runs, marks, removeLinks]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      const p = latest.current;
      let nextSelection: Set<number> | null = null;
      const live = new Map<string, { x: number; y: number }>();
      const done = new Map<number, [number, number]>();
      for (const c of changes) {
        if (c.type === 'select') {
          const i = indexOf.get(c.id);
          if (i === undefined) continue;
          nextSelection ??= new Set(p.selection ?? []);
          if (c.selected) nextSelection.add(i);
          else nextSelection.delete(i);
        } else if (c.type === 'position' && c.position) {
          if (c.dragging) live.set(c.id, c.position);
          else {
            const i = indexOf.get(c.id);
            const was = i === undefined ? undefined : p.workflow.nodes[i]?.position;
            if (i !== undefined && was && (Math.round(c.position.x) !== was[0] || Math.round(c.position.y) !== was[1]))
              done.set(i, [c.position.x, c.position.y]);
          }
        }
      }
      if (nextSelection) p.onSelectionChange?.([...nextSelection].sort((a, b) => a - b));
      if (live.size > 0) setDragging((d) => new Map([...d, ...live]));
      if (done.size > 0 && p.onChange) {
        const names = [...done.keys()].map((i) => p.workflow.nodes[i]?.name ?? '');
        p.onChange(
          moveNodes(p.workflow, done),
          names.length === 1 ? `Moved ${names[0]}` : `Moved ${names.length} nodes`,
        );
      }
      if (done.size > 0 || changes.some((c) => c.type === 'position' && c.dragging === false)) setDragging(new Map());
    },
    [indexOf],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    setSelectedEdges((current) => {
      const next = new Set(current);
      for (const c of changes) {
        if (c.type !== 'select') continue;
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      return next;
    });
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      const p = latest.current;
      const from = parseHandle(c.sourceHandle);
      const to = parseHandle(c.targetHandle);
      const source = p.workflow.nodes[indexOf.get(c.source) ?? -1]?.name;
      const target = p.workflow.nodes[indexOf.get(c.target) ?? -1]?.name;
      if (!from || !to || source === undefined || target === undefined || !p.onChange) return;
      const link = { source, type: from[0], outputIndex: from[1], target, targetType: to[0], inputIndex: to[1] };
      const next = connect(p.workflow, link);
      if (next !== p.workflow) p.onChange(next, `Connected ${source} → ${target}`);
    },
    [indexOf],
  );

  /** Only like to like: main to main, a model output to a model input. */
  const isValidConnection = useCallback(
    (c: Connection | Edge) =>
      c.source !== c.target && parseHandle(c.sourceHandle)?.[0] === parseHandle(c.targetHandle)?.[0],
    [],
  );

  // Keys: the canvas listens while mounted, and leaves typing in fields and editors alone.
  useEffect(() => {
    if (readOnly) return;
    const onKey = (e: KeyboardEvent) => {
      if (editableTarget(e.target) || e.defaultPrevented) return;
      if ((e.target as HTMLElement | null)?.closest?.('dialog, [role="dialog"]')) return;
      const p = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) p.onRedo?.();
        else p.onUndo?.();
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        p.onRedo?.();
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        const links = graph.edges.filter((l) => selectedEdges.has(edgeId(l)));
        const indexes = p.selection ?? [];
        if (links.length === 0 && indexes.length === 0) return;
        e.preventDefault();
        if (indexes.length > 0) p.onDeleteNodes?.(indexes);
        else removeLinks(links);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [readOnly, graph, selectedEdges, removeLinks]);

  return (
    <div
      className={styles.canvas}
      style={{ height: props.height ?? 560 }}
      data-testid={props.testId ?? 'canvas'}
      data-readonly={readOnly ? 'true' : undefined}
      role="region"
      aria-label={props.label}
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        fitView
        fitViewOptions={FIT}
        minZoom={0.1}
        maxZoom={2.5}
        proOptions={{ hideAttribution: true }}
        snapToGrid
        snapGrid={[20, 20]}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} className={styles.background} />
        <Controls showInteractive={false} className={styles.controls} />
      </ReactFlow>
      {graph.nodes.length === 0 && (
        <p className={styles.empty}>{readOnly ? 'This workflow has no nodes.' : 'No nodes yet: add one above.'}</p>
      )}
    </div>
  );
}
