/**
 * The promotion plan, pure: which selected source workflows are new, changed or unchanged on the
 * target, how each credential a node uses maps onto the target's credential of the same name and
 * type, which webhook paths collide, and why a workflow is refused. The dry run and the promotion
 * itself both call it, so what the operator saw is what is checked.
 */
import type {
  CredentialMapping,
  PreflightReport,
  PromotionCredential,
  PromotionPlanItem,
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
  const definitions = input.selected.map((w) => restorableDefinition(w, input.version));

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
