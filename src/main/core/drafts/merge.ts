/**
 * Three-way merge of n8n workflows: base (what the draft was taken from), mine (the draft) and
 * theirs (n8n now). Pure functions, no I/O.
 *
 * Each workflow becomes a tree in which nodes are keyed by identity (n8n node id, else name) and
 * connections are a set of links between node keys, so a rename on one side and a new link on
 * the other merge by themselves (n8n keys connections by node *name*). The trees are merged value
 * by value: a change on one side only is taken; the same change on both is taken once; different
 * changes at the same path are a conflict carrying the three values. Objects merge key by key;
 * arrays are values, unless every element is an object with a distinct string `id` (n8n's
 * assignments), in which case they merge element by element.
 */
import type { Connections, WorkflowDefinition, WorkflowNode } from '../../../shared/contract/drafts';

/** A step into the tree: an object key, or the element of an id-keyed array with that id. */
export type PathSegment = string | { id: string };

/** One side's value at a conflicting path; `present: false` means deleted (or never there). */
export interface Side {
  present: boolean;
  value?: unknown;
}

export interface MergeConflict {
  /** Stable within one merge: the path, serialised. */
  id: string;
  path: PathSegment[];
  /** The node the conflict is about (its merged name), null for workflow-level paths. */
  node: string | null;
  /** `parameters.options.timeout`, `position`, `(node)` for the whole node, `settings.timezone`… */
  what: string;
  base: Side;
  mine: Side;
  theirs: Side;
}

/** A change that merged by itself, for the operator to see what was taken. */
export interface MergedChange {
  node: string | null;
  what: string;
  /** Whose change it is: only mine, only theirs, or the same change on both sides. */
  from: 'mine' | 'theirs' | 'both';
}

export interface MergeResult {
  /** Mine's value at each conflict until it is resolved. */
  merged: WorkflowDefinition;
  conflicts: MergeConflict[];
  changes: MergedChange[];
  /** Links dropped because a node they touch is not in the merged result. */
  droppedLinks: string[];
}

export type Resolution = { conflictId: string } & ({ choice: 'mine' | 'theirs' } | { choice: 'edit'; value: unknown });

type Json = unknown;
type Tree = Record<string, Json>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values; key order does not matter, undefined keys equal absent ones. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!jsonEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** True when every element is an object with a distinct string id (merged by id). */
function idKeyed(value: unknown): value is Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const ids = new Set<string>();
  for (const el of value) {
    if (!isObject(el) || typeof el.id !== 'string' || ids.has(el.id)) return false;
    ids.add(el.id);
  }
  return true;
}

/** An own property even for `__proto__` (a parameter name from a hostile file stays data). */
const put = (obj: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

const segmentText = (s: PathSegment) => (typeof s === 'string' ? s : `[id=${s.id}]`);
const pathId = (path: PathSegment[]) => JSON.stringify(path);

// ---------------------------------------------------------------------------------------------
// Workflow ⇄ tree

const LINK_SEP = '\u0000';

interface Keyed {
  tree: Tree;
  /** node key → node name, for labels and links. */
  names: Map<string, string>;
}

/** Keys for the base's nodes: `id:<id>` when ids are unique, else `name:<name>`. */
function keyBase(nodes: WorkflowNode[]): Map<WorkflowNode, string> {
  const keys = new Map<WorkflowNode, string>();
  const used = new Set<string>();
  for (const n of nodes) {
    let key = n.id ? `id:${n.id}` : `name:${n.name}`;
    if (used.has(key)) key = `name:${n.name}`;
    let i = 2;
    const root = key;
    while (used.has(key)) key = `${root}#${i++}`;
    used.add(key);
    keys.set(n, key);
  }
  return keys;
}

/**
 * Keys for one side's nodes, matched to the base: by id, then by name where one of the pair has
 * no id (two different ids are two different nodes, even under one name). Unmatched nodes are new.
 */
function keySide(nodes: WorkflowNode[], base: WorkflowNode[], baseKeys: Map<WorkflowNode, string>) {
  const keys = new Map<WorkflowNode, string>();
  const taken = new Set<WorkflowNode>();
  const used = new Set<string>();
  const assign = (n: WorkflowNode, key: string) => {
    let k = key;
    let i = 2;
    while (used.has(k)) k = `${key}#${i++}`;
    used.add(k);
    keys.set(n, k);
  };
  for (const n of nodes) {
    if (!n.id) continue;
    const match = base.find((b) => b.id === n.id && !taken.has(b));
    if (match) {
      taken.add(match);
      assign(n, baseKeys.get(match) ?? `id:${n.id}`);
    }
  }
  for (const n of nodes) {
    if (keys.has(n)) continue;
    const match = base.find((b) => !taken.has(b) && b.name === n.name && (!b.id || !n.id));
    if (match) {
      taken.add(match);
      assign(n, baseKeys.get(match) ?? `name:${n.name}`);
    } else assign(n, n.id ? `id:${n.id}` : `name:${n.name}`);
  }
  return keys;
}

function toTree(workflow: WorkflowDefinition, keys: Map<WorkflowNode, string>): Keyed {
  const nodes: Tree = {};
  const names = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const n of workflow.nodes) {
    const key = keys.get(n) ?? `name:${n.name}`;
    nodes[key] = n;
    names.set(key, n.name);
    if (!byName.has(n.name)) byName.set(n.name, key);
  }
  const links: Tree = {};
  for (const [source, byType] of Object.entries(workflow.connections)) {
    for (const [type, outputs] of Object.entries(byType)) {
      outputs.forEach((targets, out) => {
        for (const t of targets ?? []) {
          // A link to or from a name that is not a node keeps the name (the validator reports it).
          const from = byName.get(source) ?? `missing:${source}`;
          const to = byName.get(t.node) ?? `missing:${t.node}`;
          links[[from, type, out, to, t.type, t.index].join(LINK_SEP)] = true;
        }
      });
    }
  }
  return { tree: { name: workflow.name, settings: workflow.settings, nodes, links }, names };
}

function parseLink(key: string) {
  const [from = '', type = 'main', out = '0', to = '', inputType = 'main', index = '0'] = key.split(LINK_SEP);
  return { from, type, out: Number(out), to, inputType, index: Number(index) };
}

/** Back from a tree to a workflow; nodes keep mine's order, then theirs' new ones. */
function fromTree(tree: Tree): { workflow: WorkflowDefinition; droppedLinks: string[] } {
  const nodeMap = isObject(tree.nodes) ? tree.nodes : {};
  const nodes = Object.values(nodeMap).filter(isObject) as unknown as WorkflowNode[];
  const nameOf = (key: string): string | null => {
    if (key.startsWith('missing:')) return key.slice('missing:'.length);
    const n = nodeMap[key];
    return isObject(n) && typeof n.name === 'string' ? n.name : null;
  };
  const connections: Connections = {};
  const droppedLinks: string[] = [];
  for (const key of isObject(tree.links) ? Object.keys(tree.links) : []) {
    const l = parseLink(key);
    const from = nameOf(l.from);
    const to = nameOf(l.to);
    if (from === null || to === null) {
      droppedLinks.push(`${from ?? '(deleted node)'}[${l.type} ${l.out}] → ${to ?? '(deleted node)'}[${l.index}]`);
      continue;
    }
    const byType = (connections[from] ??= {});
    const outputs = (byType[l.type] ??= []);
    while (outputs.length <= l.out) outputs.push([]);
    const slot = outputs[l.out] ?? [];
    slot.push({ node: to, type: l.inputType, index: l.index });
    outputs[l.out] = slot;
  }
  return {
    workflow: {
      name: typeof tree.name === 'string' ? tree.name : '',
      nodes,
      connections,
      settings: isObject(tree.settings) ? tree.settings : {},
    },
    droppedLinks,
  };
}

// ---------------------------------------------------------------------------------------------
// The value merge

interface Acc {
  conflicts: { path: PathSegment[]; base: Side; mine: Side; theirs: Side }[];
  changes: { path: PathSegment[]; from: MergedChange['from'] }[];
}

/** The base of a draft that never had one: nothing is known, every difference is a conflict. */
const UNKNOWN: unique symbol = Symbol('unknown base');

const side = (v: unknown): Side =>
  v === undefined || v === UNKNOWN ? { present: false } : { present: true, value: v };

/** Merges one value; undefined means absent. Conflicts keep mine's value in the result. */
function merge3(base: Json, mine: Json, theirs: Json, path: PathSegment[], acc: Acc): Json {
  const known = base !== UNKNOWN;
  if (jsonEqual(mine, theirs)) {
    if (known && !jsonEqual(base, mine)) acc.changes.push({ path, from: 'both' });
    return mine;
  }
  if (known && jsonEqual(base, mine)) {
    acc.changes.push({ path, from: 'theirs' });
    return theirs;
  }
  if (known && jsonEqual(base, theirs)) {
    acc.changes.push({ path, from: 'mine' });
    return mine;
  }
  if (isObject(mine) && isObject(theirs) && (base === undefined || !known || isObject(base))) {
    const b: Record<string, unknown> = isObject(base) ? base : {};
    const at = (k: string) => (known ? b[k] : UNKNOWN);
    const out: Record<string, unknown> = {};
    const keys = [...Object.keys(mine), ...Object.keys(theirs).filter((k) => !Object.hasOwn(mine, k))];
    for (const k of Object.keys(b)) if (!keys.includes(k)) keys.push(k);
    for (const k of keys) {
      const v = merge3(at(k), mine[k], theirs[k], [...path, k], acc);
      if (v !== undefined) put(out, k, v);
    }
    return out;
  }
  if (idKeyed(mine) && idKeyed(theirs) && (base === undefined || !known || idKeyed(base) || jsonEqual(base, []))) {
    const byId = (list: unknown) =>
      new Map(
        (Array.isArray(list) ? (list as Record<string, unknown>[]) : []).map((el) => [el.id as string, el] as const),
      );
    const [b, m, t] = [byId(base), byId(mine), byId(theirs)];
    const ids = [...m.keys(), ...[...t.keys()].filter((id) => !m.has(id))];
    for (const id of b.keys()) if (!ids.includes(id)) ids.push(id);
    const out: unknown[] = [];
    for (const id of ids) {
      const v = merge3(known ? b.get(id) : UNKNOWN, m.get(id), t.get(id), [...path, { id }], acc);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  acc.conflicts.push({ path, base: side(base), mine: side(mine), theirs: side(theirs) });
  return mine;
}

// ---------------------------------------------------------------------------------------------
// Labels

function label(path: PathSegment[], names: (key: string) => string | null): { node: string | null; what: string } {
  const [top, key, ...rest] = path;
  if (top === 'nodes' && typeof key === 'string') {
    return { node: names(key), what: rest.length ? rest.map(segmentText).join('.') : '(node)' };
  }
  if (top === 'links' && typeof key === 'string') {
    const l = parseLink(key);
    const n = (k: string) => (k.startsWith('missing:') ? k.slice(8) : (names(k) ?? k));
    return { node: n(l.from), what: `connection ${n(l.from)}[${l.type} ${l.out}] → ${n(l.to)}[${l.index}]` };
  }
  if (top === 'name') return { node: null, what: 'workflow name' };
  return { node: null, what: path.map(segmentText).join('.') };
}

// ---------------------------------------------------------------------------------------------
// Public API

interface Prepared {
  trees: { base: Tree | typeof UNKNOWN; mine: Tree; theirs: Tree };
  names: (key: string) => string | null;
}

function prepare(base: WorkflowDefinition | null, mine: WorkflowDefinition, theirs: WorkflowDefinition): Prepared {
  const baseKeys = keyBase(base?.nodes ?? []);
  const b = base ? toTree(base, baseKeys) : undefined;
  const m = toTree(mine, keySide(mine.nodes, base?.nodes ?? [], baseKeys));
  const t = toTree(theirs, keySide(theirs.nodes, base?.nodes ?? [], baseKeys));
  const names = (key: string) => m.names.get(key) ?? t.names.get(key) ?? b?.names.get(key) ?? null;
  return { trees: { base: b?.tree ?? UNKNOWN, mine: m.tree, theirs: t.tree }, names };
}

/**
 * Merges base→mine and base→theirs. `base` null (a draft from before bases were kept): every
 * difference between mine and theirs is a conflict, nothing is taken silently.
 */
export function mergeWorkflows(
  base: WorkflowDefinition | null,
  mine: WorkflowDefinition,
  theirs: WorkflowDefinition,
  /** Tests turn the whole-side shortcuts off to exercise the value merge itself. */
  options: { shortcuts?: boolean } = {},
): MergeResult {
  // Untouched sides are returned as they are (byte for byte, including n8n's connection order).
  if (options.shortcuts === false) return mergeTrees(base, mine, theirs);
  if (base && jsonEqual(base, mine))
    return { merged: theirs, conflicts: [], changes: summarize(base, theirs, 'theirs'), droppedLinks: [] };
  if (base && jsonEqual(base, theirs))
    return { merged: mine, conflicts: [], changes: summarize(base, mine, 'mine'), droppedLinks: [] };
  if (jsonEqual(mine, theirs))
    return { merged: mine, conflicts: [], changes: base ? summarize(base, mine, 'both') : [], droppedLinks: [] };
  return mergeTrees(base, mine, theirs);
}

function mergeTrees(
  base: WorkflowDefinition | null,
  mine: WorkflowDefinition,
  theirs: WorkflowDefinition,
): MergeResult {
  const { trees, names } = prepare(base, mine, theirs);
  const acc: Acc = { conflicts: [], changes: [] };
  const tree = merge3(trees.base, trees.mine, trees.theirs, [], acc) as Tree;
  const { workflow, droppedLinks } = fromTree(tree);
  const merged = keepConnectionOrder(workflow, mine, theirs);
  return {
    merged,
    conflicts: acc.conflicts.map((c) => ({ id: pathId(c.path), ...label(c.path, names), ...c })),
    changes: acc.changes.map((c) => ({ ...label(c.path, names), from: c.from })),
    droppedLinks,
  };
}

/** When the merged links equal one side's, that side's connection object is kept as n8n wrote it. */
function keepConnectionOrder(merged: WorkflowDefinition, mine: WorkflowDefinition, theirs: WorkflowDefinition) {
  const canon = (c: Connections) => canonical(c);
  const m = canon(merged.connections);
  if (m === canon(renamedAs(mine, merged))) return { ...merged, connections: renamedAs(mine, merged) };
  if (m === canon(renamedAs(theirs, merged))) return { ...merged, connections: renamedAs(theirs, merged) };
  return merged;
}

/** One side's connections with node names as in `target` (matched by id): for order keeping only. */
function renamedAs(side: WorkflowDefinition, target: WorkflowDefinition): Connections {
  const rename = new Map<string, string>();
  for (const n of side.nodes) {
    const t = n.id ? target.nodes.find((x) => x.id === n.id) : undefined;
    if (t) rename.set(n.name, t.name);
  }
  const out: Connections = {};
  for (const [source, byType] of Object.entries(side.connections)) {
    const renamed: Connections[string] = {};
    for (const [type, outputs] of Object.entries(byType)) {
      renamed[type] = outputs.map((ts) => ts?.map((x) => ({ ...x, node: rename.get(x.node) ?? x.node })) ?? null);
    }
    out[rename.get(source) ?? source] = renamed;
  }
  return out;
}

function canonical(c: Connections): string {
  const links: string[] = [];
  for (const [source, byType] of Object.entries(c)) {
    for (const [type, outputs] of Object.entries(byType)) {
      outputs.forEach((ts, out) => {
        for (const t of ts ?? []) links.push([source, type, out, t.node, t.type, t.index].join(LINK_SEP));
      });
    }
  }
  return JSON.stringify(links.sort());
}

/** The changes of one side against the base, labelled (for clean merges where one side is untouched). */
function summarize(base: WorkflowDefinition, side: WorkflowDefinition, from: MergedChange['from']): MergedChange[] {
  const { trees, names } = prepare(base, side, base);
  const acc: Acc = { conflicts: [], changes: [] };
  merge3(trees.base, trees.mine, trees.theirs, [], acc);
  return acc.changes.map((c) => ({ ...label(c.path, names), from }));
}

function setAt(root: unknown, path: PathSegment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'string') {
    const obj: Record<string, unknown> = isObject(root) ? { ...root } : {};
    const next = setAt(obj[head], rest, value);
    if (next === undefined) delete obj[head];
    else put(obj, head, next);
    return obj;
  }
  const list = Array.isArray(root) ? [...(root as unknown[])] : [];
  const i = list.findIndex((el) => isObject(el) && el.id === head.id);
  const next = setAt(i >= 0 ? list[i] : undefined, rest, value);
  if (i >= 0) {
    if (next === undefined) list.splice(i, 1);
    else list[i] = next;
  } else if (next !== undefined) list.push(next);
  return list;
}

export class MergeResolutionError extends Error {}

/**
 * The merged workflow with every conflict resolved. Throws MergeResolutionError when a conflict
 * has no resolution or a resolution names no conflict.
 */
export function resolveMerge(
  base: WorkflowDefinition | null,
  mine: WorkflowDefinition,
  theirs: WorkflowDefinition,
  resolutions: Resolution[],
): { workflow: WorkflowDefinition; droppedLinks: string[] } {
  const result = mergeWorkflows(base, mine, theirs);
  const byId = new Map(resolutions.map((r) => [r.conflictId, r] as const));
  for (const r of resolutions) {
    if (!result.conflicts.some((c) => c.id === r.conflictId))
      throw new MergeResolutionError(`No conflict ${r.conflictId} in this merge: compute the merge again.`);
  }
  const missing = result.conflicts.filter((c) => !byId.has(c.id));
  if (missing.length > 0) {
    const first = missing[0];
    throw new MergeResolutionError(
      `${missing.length} conflict(s) are not resolved yet${first ? `, e.g. ${first.node ? `${first.node}: ` : ''}${first.what}` : ''}.`,
    );
  }
  if (result.conflicts.length === 0) return { workflow: result.merged, droppedLinks: result.droppedLinks };
  const { trees } = prepare(base, mine, theirs);
  const acc: Acc = { conflicts: [], changes: [] };
  let tree = merge3(trees.base, trees.mine, trees.theirs, [], acc);
  for (const c of result.conflicts) {
    const r = byId.get(c.id);
    if (!r) continue;
    const chosen = r.choice === 'edit' ? side(r.value) : r.choice === 'mine' ? c.mine : c.theirs;
    tree = setAt(tree, c.path, chosen.present ? chosen.value : undefined);
  }
  const { workflow, droppedLinks } = fromTree(tree as Tree);
  return { workflow: keepConnectionOrder(workflow, mine, theirs), droppedLinks };
}
