import type { PromotionCredential } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { N8nWorkflowsPort, RemoteWorkflow, WorkflowBody } from '../drafts/n8n-port';
import type { InstancesService } from '../instances/instances-service';
import type { Clients } from '../n8n/clients';
import { clientWorkflowsPort, toRemote } from '../n8n/workflows-port';
import { credentialsUsedBy } from './plan';

/** An instance's credentials (names and types, never secrets) and how they were read. */
export interface CredentialListing {
  credentials: PromotionCredential[];
  source: 'api' | 'workflows+audit' | 'workflows';
}

/** What promotions need of n8n beyond drafts' port: credentials, live state, deletion. */
export interface PromotionPort extends N8nWorkflowsPort {
  /** `workflows`: the instance's workflows when already read (1.x reads the credentials they use). */
  listCredentials(instanceId: string, workflows?: readonly RemoteWorkflow[]): Promise<CredentialListing>;
  /** Makes a workflow live or stops it with the verbs of its line (publish/unpublish on 2.x). */
  setLive(instanceId: string, workflowId: string, live: boolean): Promise<void>;
  /** Deletes a workflow (2.x: unpublished first, since n8n refuses to delete a published one). */
  deleteWorkflow(instanceId: string, workflowId: string): Promise<void>;
  /** Saves without publishing (2.x `publishIfActive=false`); 1.x puts a live workflow's save live. */
  saveDraft(instanceId: string, workflowId: string, body: WorkflowBody): Promise<void>;
}

/** Codes that mean "this n8n does not give that to this key", not "n8n is broken". */
const NOT_OFFERED = new Set(['N8N_FORBIDDEN', 'N8N_NOT_FOUND', 'VALIDATION', 'N8N_BAD_RESPONSE']);

export function clientPromotionPort(instances: InstancesService, clients: Clients): PromotionPort {
  const base = clientWorkflowsPort(instances, clients);
  const client = (id: string) => {
    const c = clients.forInstance(id);
    c.rememberVersion(instances.find(id)?.sync.n8nVersion);
    return c;
  };
  return {
    ...base,
    async listCredentials(instanceId, workflows) {
      const c = client(instanceId);
      if ((await c.line()) === 2) {
        try {
          const credentials: PromotionCredential[] = [];
          let cursor: string | undefined;
          do {
            const page = await c.listCredentials(cursor ? { cursor } : {});
            credentials.push(...page.data.map(({ id, name, type }) => ({ id, name, type })));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          return { credentials, source: 'api' };
        } catch (error) {
          // 2.x lists credentials to owners' and admins' keys only: others read them as on 1.x.
          if (!(error instanceof AppError) || !NOT_OFFERED.has(error.code)) throw error;
        }
      }
      // 1.x lists no credentials to an API key: those its workflows use (with their types), plus
      // the security audit's names of all the others.
      const used = credentialsUsedBy(workflows ?? (await c.listAllWorkflows()).map(toRemote));
      let audited: { id: string; name: string }[] | null = null;
      try {
        audited = await c.auditCredentials();
      } catch (error) {
        // The audit only adds names: a key without its scope, or an n8n whose audit fails (2.41.1
        // answered it 500), still leaves the credentials in use known.
        if (!(error instanceof AppError)) throw error;
      }
      if (audited === null) return { credentials: used, source: 'workflows' };
      const known = new Set(used.map((u) => u.id));
      const rest = audited.filter((a) => !known.has(a.id)).map((a) => ({ ...a, type: null }));
      return { credentials: [...used, ...rest], source: 'workflows+audit' };
    },
    async setLive(instanceId, workflowId, live) {
      await client(instanceId).setWorkflowLive(workflowId, live);
    },
    async deleteWorkflow(instanceId, workflowId) {
      await client(instanceId).deleteWorkflow(workflowId, { unpublishFirst: true });
    },
    async saveDraft(instanceId, workflowId, body) {
      await client(instanceId).updateWorkflow(workflowId, { ...body }, { publishIfActive: false });
    },
  };
}
