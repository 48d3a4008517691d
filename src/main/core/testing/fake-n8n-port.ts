/**
 * An in-memory n8n behind the N8nWorkflowsPort, for unit tests of drafts and backups only
 * (the live tests use a real n8n). It behaves like n8n 1.123 where it matters here: a save
 * gives a new versionId, read-only fields in a body are refused, a down instance throws
 * N8N_UNREACHABLE.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import type { N8nWorkflowsPort, RemoteTag, RemoteVariable, RemoteWorkflow, WorkflowBody } from '../drafts/n8n-port';

interface FakeInstance {
  reachable: boolean;
  workflows: Map<string, RemoteWorkflow>;
  tags: RemoteTag[];
  variables: RemoteVariable[];
  variablesLicensed: boolean;
}

const WRITABLE = new Set(['name', 'nodes', 'connections', 'settings']);

export class FakeN8n implements N8nWorkflowsPort {
  readonly instances = new Map<string, FakeInstance>();
  private seq = 0;
  /** Every body sent to create/update, for assertions. */
  readonly sent: { op: 'create' | 'update'; instanceId: string; body: WorkflowBody }[] = [];

  constructor(private readonly now: () => number = () => Date.UTC(2026, 0, 1)) {}

  addInstance(id: string, options: Partial<Pick<FakeInstance, 'reachable' | 'variablesLicensed'>> = {}): this {
    this.instances.set(id, {
      reachable: true,
      variablesLicensed: true,
      workflows: new Map(),
      tags: [],
      variables: [],
      ...options,
    });
    return this;
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

  /** Someone edits the workflow in n8n: a new versionId, as n8n does on every save. */
  editRemotely(instanceId: string, id: string, edit: (wf: RemoteWorkflow) => RemoteWorkflow): RemoteWorkflow {
    const inst = this.instance(instanceId, false);
    const current = inst.workflows.get(id);
    if (!current) throw new Error(`no workflow ${id}`);
    const next = { ...edit(structuredClone(current)), versionId: randomUUID(), updatedAtMs: this.now() };
    inst.workflows.set(id, next);
    return next;
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
    const wf = { ...this.fromBody(workflowId, body), active: current.active, tags: current.tags };
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
  async createVariable(instanceId: string, variable: RemoteVariable) {
    const inst = this.instance(instanceId);
    if (!inst.variablesLicensed) throw new AppError('N8N_FORBIDDEN', 'Your license does not allow for feat:variables.');
    inst.variables.push({ ...variable });
  }
}
