/**
 * The n8n port of drafts and backups (N8nWorkflowsPort) over real HTTP: each instance is a
 * loopback fake n8n (fake-n8n.ts), reached through the real N8nClient and the real port adapter
 * (n8n/workflows-port.ts), so these tests exercise the same code and wire as the console. The
 * helpers (seed, editRemotely, setReachable…) act on the fakes directly, synchronously, as
 * someone working in n8n's editor would.
 */
import type { WorkflowDefinition } from '../../../shared/contract/drafts';
import type { N8nWorkflowsPort, RemoteTag, RemoteWorkflow, WorkflowBody } from '../drafts/n8n-port';
import type { InstancesService } from '../instances/instances-service';
import { N8nClient } from '../n8n/client';
import type { Clients } from '../n8n/clients';
import { clientWorkflowsPort } from '../n8n/workflows-port';
import { createFakeN8n, type FakeN8n as LoopbackN8n } from './fake-n8n';

type Loopback = LoopbackN8n & { ready: Promise<void> };

export class FakeN8n implements N8nWorkflowsPort {
  /** The fake n8n behind each instance id; delete one to make the instance unknown. */
  readonly instances = new Map<string, Loopback>();
  private readonly clients = new Map<Loopback, N8nClient>();
  private readonly port: N8nWorkflowsPort;
  private seq = 0;

  constructor(private readonly now: () => number = () => Date.UTC(2026, 0, 1)) {
    const instances = { list: () => [...this.instances.keys()].map((id) => ({ id, name: id })) };
    const clients = { forInstance: (id: string) => this.client(id) };
    this.port = clientWorkflowsPort(instances as unknown as InstancesService, clients as unknown as Clients);
  }

  /** Adds an instance (a fresh loopback n8n). Variables are licensed unless told otherwise. */
  addInstance(id: string, options: { reachable?: boolean; variablesLicensed?: boolean } = {}): this {
    const fake = createFakeN8n({ now: this.now });
    fake.state.variablesLicensed = options.variablesLicensed ?? true;
    fake.state.offline = options.reachable === false;
    this.instances.set(id, fake);
    return this;
  }

  /** Off: every connection is dropped, as when n8n is down. */
  setReachable(id: string, reachable: boolean): void {
    this.fake(id).state.offline = !reachable;
  }

  /** Puts a workflow into n8n as if someone created it there (inactive unless `extra.active`). */
  seed(instanceId: string, definition: WorkflowDefinition, extra: Partial<RemoteWorkflow> = {}): RemoteWorkflow {
    const fake = this.fake(instanceId);
    const wf = fake.addWorkflow(extra.id ?? `wf${++this.seq}`, extra.name ?? definition.name, {
      active: extra.active ?? false,
      nodes: structuredClone(definition.nodes),
      connections: structuredClone(definition.connections),
      settings: structuredClone(definition.settings),
    });
    for (const tag of extra.tags ?? []) this.ensureTag(fake, tag);
    wf.tags = (extra.tags ?? []).map((t) => fake.state.tags.find((x) => x.id === t.id)!);
    return toRemote(wf);
  }

  /** Someone edits the workflow in n8n: a new versionId, as n8n gives on every save. */
  editRemotely(instanceId: string, id: string, edit: (wf: RemoteWorkflow) => RemoteWorkflow): RemoteWorkflow {
    const fake = this.fake(instanceId);
    const edited = fake.editWorkflow(id, (wf) => {
      const next = edit(toRemote(wf));
      Object.assign(wf, { name: next.name, nodes: next.nodes, connections: next.connections, settings: next.settings });
    });
    return toRemote(edited);
  }

  /** Someone deletes the workflow in n8n. */
  deleteRemotely(instanceId: string, id: string): void {
    const state = this.fake(instanceId).state;
    state.workflows = state.workflows.filter((w) => w.id !== id);
  }

  /** Every workflow body sent to n8n (create and update), for assertions on what was sent. */
  get sent(): { op: 'create' | 'update'; instanceId: string; body: WorkflowBody }[] {
    return [...this.instances].flatMap(([instanceId, fake]) =>
      fake.state.writes
        .filter((w) => /^\/workflows(\/[^/]+)?$/.test(w.path))
        .map((w) => ({
          op: w.method === 'POST' ? ('create' as const) : ('update' as const),
          instanceId,
          body: w.body as WorkflowBody,
        })),
    );
  }

  /** Stops every fake n8n. */
  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    await Promise.all([...this.instances.values()].map((f) => f.close()));
  }

  // ---- the port: the real adapter over the real client ---------------------------------------

  listInstances() {
    return this.port.listInstances();
  }
  async isReachable(instanceId: string) {
    if (!this.instances.has(instanceId)) return false;
    await this.fake(instanceId).ready;
    return this.port.isReachable(instanceId);
  }
  listWorkflows = this.ready((id) => this.port.listWorkflows(id));
  getWorkflow = this.ready((id, workflowId: string) => this.port.getWorkflow(id, workflowId));
  createWorkflow = this.ready((id, body: WorkflowBody) => this.port.createWorkflow(id, body));
  updateWorkflow = this.ready((id, workflowId: string, body: WorkflowBody) =>
    this.port.updateWorkflow(id, workflowId, body),
  );
  setWorkflowTags = this.ready((id, workflowId: string, tagIds: string[]) =>
    this.port.setWorkflowTags(id, workflowId, tagIds),
  );
  listTags = this.ready((id) => this.port.listTags(id));
  createTag = this.ready((id, name: string) => this.port.createTag(id, name));
  listVariables = this.ready((id) => this.port.listVariables(id));
  createVariable = this.ready((id, variable: { key: string; value: string }) => this.port.createVariable(id, variable));

  // ---- plumbing ----------------------------------------------------------------------------

  /** Waits until the instance's fake listens (it starts when added) before the call. */
  private ready<A extends unknown[], R>(fn: (instanceId: string, ...args: A) => Promise<R>) {
    return async (instanceId: string, ...args: A): Promise<R> => {
      await this.instances.get(instanceId)?.ready;
      return fn(instanceId, ...args);
    };
  }

  private fake(id: string): Loopback {
    const fake = this.instances.get(id);
    if (!fake) throw new Error(`the fake has no instance ${id}`);
    return fake;
  }

  private client(id: string): N8nClient {
    const fake = this.fake(id);
    let client = this.clients.get(fake);
    if (!client) {
      client = new N8nClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retries: 0 });
      this.clients.set(fake, client);
    }
    return client;
  }

  private ensureTag(fake: Loopback, tag: RemoteTag): void {
    if (fake.state.tags.some((t) => t.id === tag.id)) return;
    const at = new Date(this.now()).toISOString();
    fake.state.tags.push({ id: tag.id, name: tag.name, createdAt: at, updatedAt: at });
  }
}

function toRemote(wf: LoopbackN8n['state']['workflows'][number]): RemoteWorkflow {
  return structuredClone({
    id: wf.id,
    name: wf.name,
    active: wf.active,
    versionId: wf.versionId,
    updatedAtMs: Date.parse(wf.updatedAt),
    nodes: wf.nodes,
    connections: wf.connections,
    settings: wf.settings,
    tags: wf.tags.map((t) => ({ id: t.id, name: t.name })),
  }) as RemoteWorkflow;
}
