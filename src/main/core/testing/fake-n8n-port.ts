/**
 * An in-memory n8n behind the N8nWorkflowsPort, for unit tests of drafts and backups only
 * (the live tests use a real n8n). It behaves like n8n where it matters here: read-only fields
 * in a body are refused, a down instance throws N8N_UNREACHABLE, and a save moves updatedAt and
 * gives a new versionId — on every save like 1.123, or only when nodes or connections change
 * like 2.x (an instance added with `version: '2.41.1'`), where a live workflow also keeps a
 * published version apart from its saved draft.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { isDeepStrictEqual } from 'node:util';
import type {
  N8nWorkflowsPort,
  RemoteTag,
  RemoteVariable,
  RemoteWorkflow,
  TargetInfo,
  WorkflowBody,
} from '../drafts/n8n-port';

interface FakeInstance {
  reachable: boolean;
  workflows: Map<string, RemoteWorkflow>;
  tags: RemoteTag[];
  variables: RemoteVariable[];
  variablesLicensed: boolean;
  /** The n8n release it plays ("1.123.81" by default; a 2.x one switches to 2.x semantics). */
  version: string | null;
  /** What GET /community-packages lists (2.x); null: n8n does not tell. */
  communityNodeTypes: string[] | null;
}

const WRITABLE = new Set(['name', 'nodes', 'connections', 'settings']);

export class FakeN8n implements N8nWorkflowsPort {
  readonly instances = new Map<string, FakeInstance>();
  private seq = 0;
  /** Every body sent to create/update, for assertions. */
  readonly sent: { op: 'create' | 'update'; instanceId: string; body: WorkflowBody }[] = [];

  constructor(private readonly now: () => number = () => Date.UTC(2026, 0, 1)) {}

  addInstance(
    id: string,
    options: Partial<Pick<FakeInstance, 'reachable' | 'variablesLicensed' | 'version' | 'communityNodeTypes'>> = {},
  ): this {
    this.instances.set(id, {
      reachable: true,
      variablesLicensed: true,
      workflows: new Map(),
      tags: [],
      variables: [],
      version: '1.123.81',
      communityNodeTypes: null,
      ...options,
    });
    return this;
  }

  private is2x(instanceId: string): boolean {
    return (this.instance(instanceId, false).version ?? '').startsWith('2.');
  }

  /** Publishes (2.x) or activates (1.x) a workflow: its saved version becomes the live one. */
  publish(instanceId: string, id: string): RemoteWorkflow {
    const wf = this.instance(instanceId, false).workflows.get(id);
    if (!wf) throw new Error(`no workflow ${id}`);
    wf.active = true;
    wf.published = {
      versionId: wf.versionId ?? '',
      nodes: structuredClone(wf.nodes),
      connections: structuredClone(wf.connections),
    };
    return structuredClone(wf);
  }

  setReachable(id: string, reachable: boolean): void {
    this.instance(id, false).reachable = reachable;
  }

  /** Puts a workflow into n8n as if someone created it there. */
  seed(instanceId: string, definition: WorkflowDefinition, extra: Partial<RemoteWorkflow> = {}): RemoteWorkflow {
    const id = `wf${++this.seq}`;
    const wf: RemoteWorkflow = { ...this.fromBody(id, definition), ...extra };
    this.instance(instanceId, false).workflows.set(id, wf);
    return wf;
  }

  /**
   * Someone edits and saves the workflow in n8n's editor: updatedAt moves; a new versionId on
   * 1.x always, on 2.x only when nodes or connections changed. On 2.x the published version
   * stays (saved, not published); on 1.x a live workflow runs the new version at once.
   */
  editRemotely(instanceId: string, id: string, edit: (wf: RemoteWorkflow) => RemoteWorkflow): RemoteWorkflow {
    const inst = this.instance(instanceId, false);
    const current = inst.workflows.get(id);
    if (!current) throw new Error(`no workflow ${id}`);
    const edited = edit(structuredClone(current));
    const next = { ...edited, ...this.saved(instanceId, current, edited) };
    if (!this.is2x(instanceId) && next.active)
      next.published = { versionId: next.versionId ?? '', nodes: next.nodes, connections: next.connections };
    inst.workflows.set(id, next);
    return structuredClone(next);
  }

  /** versionId and updatedAt after a save of `next` over `current`, as the instance's line does it. */
  private saved(instanceId: string, current: RemoteWorkflow, next: Pick<RemoteWorkflow, 'nodes' | 'connections'>) {
    const contentChanged =
      !isDeepStrictEqual(current.nodes, next.nodes) || !isDeepStrictEqual(current.connections, next.connections);
    return {
      versionId: this.is2x(instanceId) && !contentChanged ? current.versionId : randomUUID(),
      // n8n's updatedAt always moves on a save, even within the same millisecond of a test clock.
      updatedAtMs: Math.max(this.now(), current.updatedAtMs + 1),
    };
  }

  private fromBody(id: string, body: WorkflowBody | WorkflowDefinition): RemoteWorkflow {
    return {
      id,
      name: body.name,
      active: false,
      versionId: randomUUID(),
      updatedAtMs: this.now(),
      nodes: structuredClone(body.nodes),
      connections: structuredClone(body.connections),
      settings: structuredClone(body.settings),
      tags: [],
      versionCounter: null,
      published: null,
      archived: false,
    };
  }

  private instance(id: string, requireReachable = true): FakeInstance {
    const inst = this.instances.get(id);
    if (!inst) throw new AppError('NOT_FOUND', `Unknown instance ${id}`);
    if (requireReachable && !inst.reachable) {
      throw new AppError('N8N_UNREACHABLE', `n8n at ${id} does not answer.`, { retryable: true });
    }
    return inst;
  }

  private checkBody(body: WorkflowBody): void {
    const extra = Object.keys(body).filter((k) => !WRITABLE.has(k));
    if (extra.length)
      throw new AppError('VALIDATION', `request/body must NOT have additional properties (${extra.join(', ')})`);
  }

  listInstances() {
    return [...this.instances.keys()].map((id) => ({ id, name: id }));
  }
  isReachable(instanceId: string) {
    return Promise.resolve(this.instances.get(instanceId)?.reachable ?? false);
  }
  async listWorkflows(instanceId: string) {
    return [...this.instance(instanceId).workflows.values()].map((w) => structuredClone(w));
  }
  async getWorkflow(instanceId: string, workflowId: string) {
    const wf = this.instance(instanceId).workflows.get(workflowId);
    if (!wf) throw new AppError('N8N_NOT_FOUND', `Workflow ${workflowId} not found in n8n.`);
    return structuredClone(wf);
  }
  async createWorkflow(instanceId: string, body: WorkflowBody) {
    const inst = this.instance(instanceId);
    this.checkBody(body);
    this.sent.push({ op: 'create', instanceId, body: structuredClone(body) });
    const wf = this.fromBody(`wf${++this.seq}`, body);
    inst.workflows.set(wf.id, wf);
    return structuredClone(wf);
  }
  async updateWorkflow(instanceId: string, workflowId: string, body: WorkflowBody) {
    const inst = this.instance(instanceId);
    this.checkBody(body);
    const current = inst.workflows.get(workflowId);
    if (!current) throw new AppError('N8N_NOT_FOUND', `Workflow ${workflowId} not found in n8n.`);
    this.sent.push({ op: 'update', instanceId, body: structuredClone(body) });
    const wf: RemoteWorkflow = {
      ...this.fromBody(workflowId, body),
      ...this.saved(instanceId, current, body),
      active: current.active,
      tags: current.tags,
      published: current.published,
    };
    // The public API's PUT puts a live workflow's new version live (2.x: publishIfActive defaults to true).
    if (wf.active) wf.published = { versionId: wf.versionId ?? '', nodes: wf.nodes, connections: wf.connections };
    inst.workflows.set(workflowId, wf);
    return structuredClone(wf);
  }
  async setWorkflowTags(instanceId: string, workflowId: string, tagIds: string[]) {
    const inst = this.instance(instanceId);
    const wf = inst.workflows.get(workflowId);
    if (!wf) throw new AppError('N8N_NOT_FOUND', `Workflow ${workflowId} not found in n8n.`);
    wf.tags = inst.tags.filter((t) => tagIds.includes(t.id));
  }
  async listTags(instanceId: string) {
    return structuredClone(this.instance(instanceId).tags);
  }
  async createTag(instanceId: string, name: string) {
    const tag = { id: `tag${++this.seq}`, name };
    this.instance(instanceId).tags.push(tag);
    return tag;
  }
  async listVariables(instanceId: string) {
    const inst = this.instance(instanceId);
    if (!inst.variablesLicensed) throw new AppError('N8N_FORBIDDEN', 'Your license does not allow for feat:variables.');
    return structuredClone(inst.variables);
  }
  async targetInfo(instanceId: string, needs: { communityNodeTypes: boolean }): Promise<TargetInfo> {
    const inst = this.instance(instanceId, false);
    return { version: inst.version, communityNodeTypes: needs.communityNodeTypes ? inst.communityNodeTypes : null };
  }
  async createVariable(instanceId: string, variable: RemoteVariable) {
    const inst = this.instance(instanceId);
    if (!inst.variablesLicensed) throw new AppError('N8N_FORBIDDEN', 'Your license does not allow for feat:variables.');
    inst.variables.push({ ...variable });
  }
}
