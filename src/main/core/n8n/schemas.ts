import { z } from 'zod';

/**
 * The shapes Flightdeck relies on in n8n's public API v1 answers (observed on 1.123 and 2.41). Objects
 * are not strict: n8n adds fields between versions, and only what is read here must be valid.
 */
const id = z.union([z.string().min(1), z.number().int()]).transform(String);
// One Date.parse per value: the sync validates thousands of these per pass.
const isoTime = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'not a date' });
    return z.NEVER;
  }
  return ms;
});

export const n8nExecutionSchema = z.object({
  id,
  finished: z.boolean().optional(),
  mode: z.string().nullish(),
  retryOf: id.nullish(),
  retrySuccessId: id.nullish(),
  /** new, running, waiting, success, error, crashed, canceled (unknown ones are kept as text). */
  status: z.string().nullish(),
  createdAt: isoTime.nullish(),
  startedAt: isoTime.nullish(),
  stoppedAt: isoTime.nullish(),
  workflowId: id.nullish(),
  waitTill: isoTime.nullish(),
  data: z.unknown().optional(),
  /** With includeData: the workflow as it ran (name, nodes with parameters). */
  workflowData: z.unknown().optional(),
});
export type N8nExecution = z.infer<typeof n8nExecutionSchema>;

/** Nodes keep every field n8n sent (id, typeVersion, position, credentials…): drafts and backups need them whole. */
export const n8nNodeSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    disabled: z.boolean().optional(),
    webhookId: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export const n8nTagSchema = z.object({ id, name: z.string() });

/** One saved version of a workflow: on 2.x the published one (`activeVersion`). */
export const n8nWorkflowVersionSchema = z.object({
  versionId: z.string(),
  nodes: z.array(n8nNodeSchema),
  connections: z.record(z.string(), z.unknown()).nullish(),
});
export type N8nWorkflowVersion = z.infer<typeof n8nWorkflowVersionSchema>;

export const n8nWorkflowSchema = z.object({
  id,
  name: z.string(),
  /** 2.x: a version is published; 1.x: the workflow is active. */
  active: z.boolean(),
  /** The saved version (on 2.x the draft, which may differ from what is published). */
  nodes: z.array(n8nNodeSchema),
  connections: z.record(z.string(), z.unknown()).optional(),
  settings: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(n8nTagSchema).nullish(),
  /** New on every node or connection change; on 2.x a rename or settings change keeps it. */
  versionId: z.string().nullish(),
  /** The published version's id (1.123 and 2.x; null when not live). */
  activeVersionId: z.string().nullish(),
  /** The published version itself (1.123 and 2.x list and get it). */
  activeVersion: n8nWorkflowVersionSchema.nullish(),
  /** Single GET only. 2.x bumps it with a new versionId; 1.123 also on every (de)activation. */
  versionCounter: z.number().int().nullish(),
  isArchived: z.boolean().nullish(),
  createdAt: isoTime.nullish(),
  updatedAt: isoTime.nullish(),
});
export type N8nWorkflow = z.infer<typeof n8nWorkflowSchema>;

/** GET /community-packages (2.x public API): installed packages and the node types they add. */
export const n8nCommunityPackageSchema = z.object({
  packageName: z.string(),
  installedNodes: z.array(z.object({ name: z.string().optional(), type: z.string() }).loose()).nullish(),
});

/** GET /credentials (2.x): a credential's id, name and type; n8n never answers its data here. */
export const n8nCredentialSchema = z.object({ id, name: z.string(), type: z.string() });
export type N8nCredential = z.infer<typeof n8nCredentialSchema>;

/**
 * POST /audit: `[]` when nothing is at risk, else one report per risk category, each with
 * sections whose `location` names what is at risk (a credential: kind, id, name).
 */
export const auditReportSchema = z.union([
  z.array(z.unknown()),
  z.record(
    z.string(),
    z.object({
      sections: z.array(
        z.object({
          location: z.array(z.object({ kind: z.string(), id: id.optional(), name: z.string().optional() }).loose()),
        }),
      ),
    }),
  ),
]);

export const n8nVariableSchema = z.object({ id, key: z.string(), value: z.string(), type: z.string().optional() });

/** A cursor page: `nextCursor` is null on the last page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
  });

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** n8n's error body: `{ message }` (sometimes with `code`/`hint`). */
export const n8nErrorBodySchema = z.object({ message: z.string() });

export const healthSchema = z.object({ status: z.string() });

/** GET /rest/settings (public, used by n8n's own editor before login): only the version is read. */
export const restSettingsSchema = z.object({ data: z.object({ versionCli: z.string().optional() }).passthrough() });
