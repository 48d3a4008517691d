/**
 * The promotion plan, pure: which selected source workflows are new, changed or unchanged on the
 * target, how each credential a node uses maps onto the target's credential of the same name and
 * type, which per-instance variables are rewritten, which webhook paths collide, and why a
 * workflow is refused. The dry run and the promotion itself both call it, so what the operator saw
 * is what is checked.
 */
import type {
  CredentialMapping,
  PreflightReport,
  PromotionCredential,
  PromotionPlanItem,
  Variable,
  VariableRewrite,
  WorkflowDefinition,
  WorkflowNode,
  WorkflowVersionKind,
} from '../../../shared/contract';
import { diffWorkflows } from '../../../shared/drafts/workflow-model';
import { definitionOf, type RemoteWorkflow } from '../drafts/n8n-port';
import { restorableDefinition } from '../drafts/preflight-service';

/** A credential a node refers to: `credentials: { <type>: { id, name } }` in n8n's workflow JSON. */
export interface CredentialRef {
  node: string;
  type: string;
  id: string | null;
  name: string;
}

/** Every credential reference of these nodes; an entry n8n would not recognise is skipped. */
export function credentialRefs(nodes: readonly Pick<WorkflowNode, 'name' | 'credentials'>[]): CredentialRef[] {
  const refs: CredentialRef[] = [];
  for (const node of nodes) {
    for (const [type, value] of Object.entries(node.credentials ?? {})) {
      // Very old workflows named the credential only (a string).
      if (typeof value === 'string') refs.push({ node: node.name, type, id: null, name: value });
      else if (value && typeof value === 'object') {
        const { id, name } = value as { id?: unknown; name?: unknown };
        if (typeof name === 'string')
          refs.push({
            node: node.name,
            type,
            id: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
            name,
          });
      }
    }
  }
  return refs;
}

/** The credentials these workflows use (draft and published nodes), by id, with their types. */
export function credentialsUsedBy(workflows: readonly RemoteWorkflow[]): PromotionCredential[] {
  const found = new Map<string, PromotionCredential>();
  for (const w of workflows)
    for (const ref of credentialRefs([...w.nodes, ...(w.published?.nodes ?? [])]))
      if (ref.id && !found.has(ref.id)) found.set(ref.id, { id: ref.id, name: ref.name, type: ref.type });
  return [...found.values()];
}

/** Maps one reference onto the target's credentials: same name and type, exactly one. */
export function mapCredential(ref: CredentialRef, target: readonly PromotionCredential[]): CredentialMapping {
  const base = { node: ref.node, type: ref.type, name: ref.name, sourceId: ref.id };
  const typed = target.filter((c) => c.name === ref.name && c.type === ref.type);
  if (typed.length === 1) return { ...base, targetId: typed[0]!.id, status: 'mapped' };
  if (typed.length > 1) return { ...base, targetId: null, status: 'ambiguous' };
  const untyped = target.filter((c) => c.name === ref.name && c.type === null);
  if (untyped.length === 1) return { ...base, targetId: untyped[0]!.id, status: 'unverified' };
  if (untyped.length > 1) return { ...base, targetId: null, status: 'ambiguous' };
  return { ...base, targetId: null, status: 'missing' };
}

/** The nodes with their credentials re-pointed to the target's ids (names kept). */
function repointed(nodes: WorkflowNode[], mappings: readonly CredentialMapping[]): WorkflowNode[] {
  return nodes.map((node) => {
    if (!node.credentials) return node;
    const credentials: Record<string, unknown> = {};
    for (const [type, value] of Object.entries(node.credentials)) {
      const mapped = mappings.find((m) => m.node === node.name && m.type === type && m.targetId !== null);
      credentials[type] = mapped ? { id: mapped.targetId, name: mapped.name } : value;
    }
    return { ...node, credentials };
  });
}

/** The per-instance variables of a promotion's two instances (variables.ts). */
export interface PromotionVariables {
  source: readonly Variable[];
  target: readonly Variable[];
  sourceName: string;
  targetName: string;
}

/** A source value whose variable(s) the target lacks, or maps to two different values. */
export interface VariableProblem {
  kind: 'missing' | 'ambiguous';
  names: string[];
  value: string;
  nodes: string[];
}

/** Source variables sharing one value: rewritten as one (longest value first). */
interface ValueGroup {
  value: string;
  names: string[];
  /** The target's value; null when the target has none of the names, or several values. */
  to: string | null;
  rewriteName: string | null;
  problem: VariableProblem['kind'] | null;
}

function valueGroups(vars: PromotionVariables): ValueGroup[] {
  const byValue = new Map<string, string[]>();
  for (const v of vars.source) byValue.set(v.value, [...(byValue.get(v.value) ?? []), v.name]);
  const target = new Map(vars.target.map((v) => [v.name, v.value]));
  return [...byValue.entries()]
    .map(([value, names]): ValueGroup => {
      const sorted = [...names].sort();
      const held = sorted.filter((n) => target.has(n));
      const values = new Set(held.map((n) => target.get(n)!));
      if (held.length === 0) return { value, names: sorted, to: null, rewriteName: null, problem: 'missing' };
      if (values.size > 1) return { value, names: sorted, to: null, rewriteName: null, problem: 'ambiguous' };
      return { value, names: sorted, to: [...values][0]!, rewriteName: held[0]!, problem: null };
    })
    .sort((a, b) => b.value.length - a.value.length || a.value.localeCompare(b.value));
}

/** Every string inside a parameter value, rewritten by `fn` (objects and arrays kept in shape). */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/**
 * Rewrites every string parameter holding a source variable's value to the target's value of the
 * same variable: exact substrings, longest value first, one pass (a written value is never
 * rewritten again). A value whose variable the target lacks is left as it is and reported.
 */
export function rewriteVariables(
  nodes: readonly WorkflowNode[],
  vars: PromotionVariables,
): { nodes: WorkflowNode[]; rewrites: VariableRewrite[]; problems: VariableProblem[] } {
  const groups = valueGroups(vars);
  const hits = new Map<ValueGroup, { nodes: Set<string>; count: number }>();
  const rewritten = nodes.map((node): WorkflowNode => {
    const rewrite = (s: string): string => {
      const present = groups.filter((g) => s.includes(g.value));
      if (!present.length) return s;
      let out = '';
      let i = 0;
      // Each value's next occurrence at or after i (-1: none left), searched again only once
      // passed, so a long string with many hits is read once per value.
      const next = present.map((p) => s.indexOf(p.value));
      for (;;) {
        // The leftmost occurrence of any value; at one place the longest (groups are sorted so).
        let at = -1;
        let g: ValueGroup | undefined;
        for (const [k, p] of present.entries()) {
          if (next[k]! !== -1 && next[k]! < i) next[k] = s.indexOf(p.value, i);
          const j = next[k]!;
          if (j !== -1 && (at === -1 || j < at)) [at, g] = [j, p];
        }
        if (!g) return out + s.slice(i);
        const hit = hits.get(g) ?? { nodes: new Set<string>(), count: 0 };
        hit.nodes.add(node.name);
        hit.count++;
        hits.set(g, hit);
        out += s.slice(i, at) + (g.to ?? g.value);
        i = at + g.value.length;
      }
    };
    return { ...node, parameters: mapStrings(node.parameters, rewrite) as WorkflowNode['parameters'] };
  });
  const rewrites: VariableRewrite[] = [];
  const problems: VariableProblem[] = [];
  for (const [g, hit] of hits) {
    const found = [...hit.nodes].sort();
    if (g.problem) problems.push({ kind: g.problem, names: g.names, value: g.value, nodes: found });
    else if (g.to !== g.value)
      rewrites.push({ name: g.rewriteName!, from: g.value, to: g.to!, nodes: found, count: hit.count });
  }
  rewrites.sort((a, b) => a.name.localeCompare(b.name));
  return { nodes: rewritten, rewrites, problems };
}

const shortValue = (v: string) => (v.length > 60 ? `${v.slice(0, 57)}…` : v);

/** The refusal sentence of a variable problem. */
export function variableRefusal(p: VariableProblem, vars: PromotionVariables): string {
  const one = p.nodes.length === 1;
  const where = `${one ? 'Node' : 'Nodes'} ${p.nodes.map((n) => `"${n}"`).join(', ')} ${one ? 'holds' : 'hold'}`;
  const names = p.names.join(' / ');
  if (p.kind === 'missing')
    return `${where} ${names} of ${vars.sourceName} (${shortValue(p.value)}), which ${vars.targetName} does not have: set ${p.names[0]} on ${vars.targetName} first.`;
  return `${where} ${shortValue(p.value)}, the value of ${names} on ${vars.sourceName}, and these differ on ${vars.targetName}: give them one value there or different values on ${vars.sourceName}.`;
}

export interface WebhookKey {
  node: string;
  method: string;
  path: string;
}

/** The production webhooks of these nodes (enabled Webhook nodes with a literal path). */
export function webhooksOf(nodes: readonly WorkflowNode[]): WebhookKey[] {
  return nodes.flatMap((n) => {
    if (n.type !== 'n8n-nodes-base.webhook' || n.disabled) return [];
    const path = String(n.parameters.path ?? '').replace(/^\/+|\/+$/g, '');
    // An expression is only known when n8n evaluates it.
    if (!path || path.startsWith('=')) return [];
    const method = String(n.parameters.httpMethod ?? 'GET').toUpperCase();
    return [{ node: n.name, method, path }];
  });
}

export interface PlannedWorkflow {
  item: PromotionPlanItem;
  /** What would be written (credentials re-pointed). */
  definition: WorkflowDefinition;
  /** The target's workflow it updates; null for a new one. */
  target: RemoteWorkflow | null;
}

export interface PlanInput {
  /** The selected source workflows, in the operator's order. */
  selected: readonly RemoteWorkflow[];
  /** Every workflow of the source (target-only means: none of these has its name). */
  sourceWorkflows: readonly RemoteWorkflow[];
  version: WorkflowVersionKind;
  targetWorkflows: readonly RemoteWorkflow[];
  targetCredentials: readonly PromotionCredential[];
  /** The node-type pre-flight of the selected workflows against the target. */
  preflight: PreflightReport;
  /** Per-instance variables; none: nothing is rewritten. */
  variables?: PromotionVariables;
}

const sameKey = (a: WebhookKey, b: WebhookKey) => a.method === b.method && a.path === b.path;

export function planPromotion(input: PlanInput): {
  planned: PlannedWorkflow[];
  targetOnly: { workflowId: string; name: string; active: boolean }[];
} {
  const live = input.targetWorkflows.filter((w) => !w.archived);
  const byName = new Map<string, RemoteWorkflow[]>();
  for (const w of live) byName.set(w.name, [...(byName.get(w.name) ?? []), w]);
  const selectedNames = input.selected.map((w) => w.name);
  // Variables are rewritten first: webhook paths and the diff are those of what would be written.
  const rewritten = input.selected.map((w) => {
    const definition = restorableDefinition(w, input.version);
    if (!input.variables) return { definition, rewrites: [], problems: [] };
    const r = rewriteVariables(definition.nodes, input.variables);
    return { definition: { ...definition, nodes: r.nodes }, rewrites: r.rewrites, problems: r.problems };
  });
  const definitions = rewritten.map((r) => r.definition);

  const planned = input.selected.map((source, index): PlannedWorkflow => {
    const refusals: string[] = [];
    const own = definitions[index]!;
    const matches = byName.get(source.name) ?? [];
    const target = matches.length === 1 ? matches[0]! : null;
    if (matches.length > 1)
      refusals.push(
        `The target has ${matches.length} workflows named "${source.name}": rename all but one there, so it is clear which one to update.`,
      );
    if (selectedNames.filter((n) => n === source.name).length > 1)
      refusals.push(`Two selected workflows are named "${source.name}": promote one of them at a time.`);
    if (source.archived) refusals.push(`"${source.name}" is archived on the source.`);

    const credentials = credentialRefs(own.nodes).map((ref) => mapCredential(ref, input.targetCredentials));
    for (const p of rewritten[index]!.problems) refusals.push(variableRefusal(p, input.variables!));
    for (const c of credentials) {
      if (c.status === 'missing')
        refusals.push(
          `Node "${c.node}" uses the credential "${c.name}" (${c.type}), which the target does not have: create a credential with that name and type there first.`,
        );
      if (c.status === 'ambiguous')
        refusals.push(
          `Node "${c.node}" uses the credential "${c.name}" (${c.type}), and the target has several of that name: rename them so one is left.`,
        );
    }

    const webhookCollisions: PromotionPlanItem['webhookCollisions'] = [];
    for (const hook of webhooksOf(own.nodes)) {
      for (const other of live) {
        if (other.id === target?.id) continue;
        const nodes = [...other.nodes, ...(other.published?.nodes ?? [])];
        if (webhooksOf(nodes).some((h) => sameKey(h, hook)))
          webhookCollisions.push({ ...hook, otherWorkflowId: other.id, otherWorkflowName: other.name });
      }
      input.selected.forEach((other, j) => {
        if (j !== index && webhooksOf(definitions[j]!.nodes).some((h) => sameKey(h, hook)))
          webhookCollisions.push({ ...hook, otherWorkflowId: null, otherWorkflowName: other.name });
      });
    }
    for (const c of webhookCollisions)
      refusals.push(
        `Webhook "${c.node}" (${c.method} /webhook/${c.path}) collides with "${c.otherWorkflowName}"${c.otherWorkflowId ? ' on the target' : ' in this promotion'}: give one of them another path.`,
      );

    const problems = input.preflight.workflows.find((w) => w.workflowId === source.id)?.problems ?? [];
    for (const p of problems.filter((p) => p.severity === 'error'))
      refusals.push(`Node "${p.node}" (${p.type}) cannot run on the target: ${p.message}`);

    const definition: WorkflowDefinition = { ...own, nodes: repointed(own.nodes, credentials) };
    let status: PromotionPlanItem['status'] = 'new';
    let diff: PromotionPlanItem['diff'] = null;
    if (target) {
      const theirs = definitionOf(target);
      // n8n fills in settings of its own (callerPolicy…): only the source's settings are compared.
      diff = diffWorkflows({ ...definition, settings: { ...theirs.settings, ...definition.settings } }, theirs);
      status = diff.identical ? 'unchanged' : 'changed';
    }
    return {
      item: {
        sourceWorkflowId: source.id,
        name: source.name,
        status,
        targetWorkflowId: target?.id ?? null,
        targetUpdatedAtMs: target?.updatedAtMs ?? null,
        sourceActive: source.active,
        targetActive: target?.active ?? null,
        diff,
        credentials,
        variables: rewritten[index]!.rewrites,
        webhookCollisions,
        problems,
        refusals,
        promotable: refusals.length === 0,
      },
      definition,
      target,
    };
  });

  const names = new Set(input.sourceWorkflows.filter((w) => !w.archived).map((w) => w.name));
  const targetOnly = live
    .filter((w) => !names.has(w.name))
    .map((w) => ({ workflowId: w.id, name: w.name, active: w.active }));
  return { planned, targetOnly };
}
