import { z } from 'zod';
import { call } from './define';
import { workflowVersionKindSchema } from './drafts';
import { waitInboxSchema } from './instances';

/** One section of a backup: a local table, or the workflows pulled from one n8n instance. */
export const backupSectionSchema = z.object({
  /** `table:<name>` or `remote:<instanceId>`. */
  name: z.string().min(1).max(300),
  kind: z.enum(['table', 'remote']),
  /** Rows (table) or workflows (remote). */
  count: z.number().int().min(0),
  /** SHA-256 (hex) of the section's lines exactly as written. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Column order of the table's rows. */
  columns: z.array(z.string().max(200)).max(500),
  /** Secret columns left out (no passphrase was chosen). */
  redacted: z.array(z.string().max(200)).max(500),
  /** Why a remote section is empty (the instance was unreachable…). */
  error: z.string().max(2_000).nullable(),
});
export type BackupSection = z.infer<typeof backupSectionSchema>;

/** The latest instant a JavaScript Date holds (ms since 1970): past it, `toISOString` throws. */
export const MAX_DATE_MS = 8.64e15;

/** Sections one backup may hold (local tables plus one per n8n instance); the reader refuses more as soon as it meets them. */
export const MAX_BACKUP_SECTIONS = 10_000;

/** The last line of a backup file: what it holds and how to check it. */
export const backupManifestSchema = z.object({
  t: z.literal('manifest'),
  format: z.literal('flightdeck-backup'),
  formatVersion: z.literal(1),
  appVersion: z.string().max(100),
  /** The store's migration number when the backup was made. */
  schemaVersion: z.number().int().min(1),
  /** Bounded so that every use as a date (the restore's snapshot label) works. */
  createdAtMs: z
    .number()
    .int()
    .min(0, 'not a possible time (before 1970)')
    .max(MAX_DATE_MS, 'not a possible time (after the year 275760)'),
  /** `dropped`: secret columns left out; `encrypted`: kept, the whole file is encrypted. */
  secrets: z.enum(['dropped', 'encrypted']),
  includesExecutions: z.boolean(),
  sections: z.array(backupSectionSchema).max(MAX_BACKUP_SECTIONS),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** A backup file in one of the folders Flightdeck writes to. */
export const backupFileSchema = z.object({
  /** Absolute path; only paths from `backups:list` are accepted by `backups:read`. */
  path: z.string(),
  name: z.string(),
  bytes: z.number().int(),
  modifiedAtMs: z.number().int(),
  encrypted: z.boolean(),
});
export type BackupFile = z.infer<typeof backupFileSchema>;

/** What a restore would do to one table. */
export const tablePreviewSchema = z.object({
  table: z.string(),
  /** `replace`: the table becomes the backup's rows; `keep`: not in the backup, left as is. */
  action: z.enum(['replace', 'keep']),
  add: z.number().int(),
  change: z.number().int(),
  remove: z.number().int(),
  unchanged: z.number().int(),
});
export type TablePreview = z.infer<typeof tablePreviewSchema>;

/** A before → after pair; `null` where the instance does not exist on that side. */
const changeOf = <T extends z.ZodTypeAny>(value: T) => z.object({ before: value.nullable(), after: value.nullable() });

/**
 * What happens to an instance's API key:
 * - `kept`: this console's key stays (the instance keeps its address);
 * - `restored`: the key carried by the (encrypted) backup, readable here;
 * - `dropped`: the backup changes the instance's address and does not carry its key, so this
 *   console's key is removed instead of being sent to the new address: enter it again;
 * - `missing`: no key after the restore (an instance new to this console from a backup
 *   without secrets): enter it;
 * - `unreadable`: the backup carries a key this console cannot open (sealed by another
 *   console or key store): enter it again here;
 * - `removed`: the instance is not in the backup and goes away with its key.
 */
export const restoreKeyOutcomeSchema = z.enum(['kept', 'restored', 'dropped', 'missing', 'unreadable', 'removed']);
export type RestoreKeyOutcome = z.infer<typeof restoreKeyOutcomeSchema>;

/** What a restore does to one n8n instance (shown before applying, and returned after). */
export const instanceRestoreSchema = z.object({
  instanceId: z.string(),
  action: z.enum(['add', 'change', 'remove', 'unchanged']),
  name: changeOf(z.string()),
  baseUrl: changeOf(z.string()),
  /**
   * n8n's public webhook base (null: none, the address is used): wait registrations and resumes
   * on it belong to this instance, so a restore that moves it is shown.
   */
  publicWebhookUrl: changeOf(z.string()),
  /** Which waits started in n8n join the inbox (null where the instance does not exist). */
  waitInbox: changeOf(waitInboxSchema),
  /** Every change besides name, address and key, in words ("Public webhook URL: none → …"). */
  settings: z.array(z.string()),
  apiKey: restoreKeyOutcomeSchema,
  /** One sentence for the operator: what happens to the key and what to do. */
  note: z.string(),
});
export type InstanceRestore = z.infer<typeof instanceRestoreSchema>;

/** One line of the restore preview in domain terms: "mapping CRM sync comes back". */
export const restoreChangeSchema = z.object({
  kind: z.enum(['instance', 'mapping', 'schedule', 'approval rule', 'alert rule']),
  change: z.enum(['comes back', 'goes away', 'changes']),
  /** How many (exact). */
  count: z.number().int(),
  /** Their names, sorted; at most 100 are listed. */
  names: z.array(z.string()),
});
export type RestoreChange = z.infer<typeof restoreChangeSchema>;

/** What a restore does to the audit log, said outright (it is replaced by the backup's when the backup holds one). */
export const restoreAuditSchema = z.object({
  action: z.enum(['replace', 'keep']),
  /** Entries recorded here that are not in the backup: they go away. */
  removed: z.number().int(),
  /** Entries in the backup that are not here: they come back. */
  added: z.number().int(),
  /** One or two sentences for the operator. */
  sentence: z.string(),
});
export type RestoreAudit = z.infer<typeof restoreAuditSchema>;

export const restorePlanSchema = z.object({
  /** Pass to `backups:restore` to apply exactly this validated backup. */
  restoreId: z.string(),
  manifest: backupManifestSchema,
  tables: z.array(tablePreviewSchema),
  /** Per n8n instance: name, address and key before → after (empty when instances are kept as they are). */
  instances: z.array(instanceRestoreSchema),
  /** n8n workflows in the backup, per instance: a restore keeps them as n8n snapshots. */
  remote: z.array(z.object({ instanceId: z.string(), workflows: z.number().int() })),
  warnings: z.array(z.string()),
  /** What comes back, goes away or changes, by name: mappings, instances, schedules, rules. */
  changes: z.array(restoreChangeSchema),
  /** What happens to the audit log. */
  audit: restoreAuditSchema,
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;

/** Automatic backups: every `intervalMs` into `folder`, keeping the newest `keep` files. */
export const backupScheduleSchema = z
  .object({
    enabled: z.boolean(),
    /** Between two automatic backups, ms (15 min – 30 days). */
    intervalMs: z
      .number()
      .int()
      .min(15 * 60_000)
      .max(30 * 86_400_000),
    /** Absolute folder; created if missing. */
    folder: z
      .string()
      .min(1)
      .max(1_000)
      .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'Use an absolute folder path'),
    /** Automatic backups kept in the folder; older ones are deleted (1–1000). */
    keep: z.number().int().min(1).max(1_000),
    includeExecutions: z.boolean(),
  })
  .strict();
export type BackupSchedule = z.infer<typeof backupScheduleSchema>;

export const backupScheduleStateSchema = backupScheduleSchema.extend({
  lastRunAtMs: z.number().int().nullable(),
  /** `ok: <file>` or the error of the last automatic backup. */
  lastResult: z.string().nullable(),
  nextRunAtMs: z.number().int().nullable(),
});

/** An n8n-side snapshot (its workflows, tags and variables are stored, not listed here). */
export const snapshotSchema = z.object({
  id: z.number().int(),
  instanceId: z.string(),
  /** 1, 2, 3… per instance. */
  version: z.number().int(),
  label: z.string(),
  takenAtMs: z.number().int(),
  workflowCount: z.number().int(),
  tagCount: z.number().int(),
  variableCount: z.number().int(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export const snapshotRestoreResultSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  tagsCreated: z.number().int(),
  variablesCreated: z.number().int(),
  /** Source workflow id → workflow id in the target instance. */
  idMap: z.record(z.string(), z.string()),
  warnings: z.array(z.string()),
});

const passphrase = z.string().min(8, 'Use at least 8 characters').max(1_000);
const uploadId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/);

export const backupsCalls = {
  'backups:list': call(z.object({}).strict(), z.object({ folder: z.string(), files: z.array(backupFileSchema) })),
  /**
   * Writes a backup file into the backups folder. Without a passphrase secret columns are left
   * out; with one they are kept and the whole file is encrypted (AES-256-GCM, scrypt key).
   */
  'backups:export': call(
    z
      .object({
        includeExecutions: z.boolean().default(false),
        includeRemote: z.boolean().default(true),
        passphrase: passphrase.optional(),
        /** Lets the caller match `backups:progress` events to this export. */
        operationId: z.string().max(100).optional(),
      })
      .strict(),
    z.object({ file: backupFileSchema, manifest: backupManifestSchema }),
  ),
  /** Reads a listed backup file in pieces (for a download); `length` ≤ 4 MiB. */
  'backups:read': call(
    z
      .object({
        path: z.string().min(1).max(2_000),
        offset: z.number().int().min(0),
        length: z
          .number()
          .int()
          .min(1)
          .max(4 * 1024 * 1024),
      })
      .strict(),
    z.object({ dataBase64: z.string(), bytes: z.number().int(), done: z.boolean() }),
  ),
  /** Receives a file to restore, piece by piece (offset must follow the previous piece). */
  'backups:upload': call(
    z.object({ uploadId, offset: z.number().int().min(0), dataBase64: z.string().max(6 * 1024 * 1024) }).strict(),
    z.object({ bytes: z.number().int() }),
  ),
  /** Validates a backup completely and previews the restore; changes nothing. */
  'backups:inspect': call(
    z
      .object({
        source: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('upload'), uploadId }).strict(),
          z.object({ kind: z.literal('file'), path: z.string().min(1).max(2_000) }).strict(),
        ]),
        passphrase: passphrase.optional(),
        operationId: z.string().max(100).optional(),
      })
      .strict(),
    restorePlanSchema,
  ),
  /** Applies an inspected backup in one transaction: all of it, or nothing. */
  'backups:restore': call(
    z.object({ restoreId: z.string().min(1).max(100) }).strict(),
    z.object({
      tables: z.number().int(),
      rows: z.number().int(),
      /** n8n snapshots made from the backup's workflows (one per instance). */
      snapshots: z.number().int(),
      /** What happened to each instance, as the preview said (keys dropped are listed here too). */
      instances: z.array(instanceRestoreSchema),
      /** Keys the operator must enter again, in words. */
      warnings: z.array(z.string()),
    }),
  ),
  'backups:discard': call(
    z.object({ restoreId: z.string().min(1).max(100) }).strict(),
    z.object({ discarded: z.boolean() }),
  ),
  'backups:scheduleGet': call(z.object({}).strict(), backupScheduleStateSchema.nullable()),
  'backups:scheduleSet': call(z.object({ schedule: backupScheduleSchema }).strict(), backupScheduleStateSchema),
  /** Pulls every workflow, tag and variable of an instance into a new numbered snapshot. */
  'backups:snapshotTake': call(
    z.object({ instanceId: z.string().min(1).max(100), label: z.string().trim().max(200).default('') }).strict(),
    snapshotSchema,
  ),
  'backups:snapshots': call(
    z.object({ instanceId: z.string().min(1).max(100).optional() }).strict(),
    z.array(snapshotSchema),
  ),
  /**
   * Restores a snapshot into an instance (the same or another): workflows are matched by name
   * (updated) or created; tags and variables missing there are created. `version`: each
   * workflow's saved draft (absent: the draft) or its published version where one was live (n8n 2.x).
   * Node types the target may not run (pre-flight; dry run: `drafts:preflight`) are warnings.
   */
  'backups:snapshotRestore': call(
    z
      .object({
        snapshotId: z.number().int().min(1),
        targetInstanceId: z.string().min(1).max(100),
        version: workflowVersionKindSchema.optional(),
      })
      .strict(),
    snapshotRestoreResultSchema,
  ),
};

export const backupsEvents = {
  /** Long work in progress: `done` of `total` steps (rows or workflows) of one operation. */
  'backups:progress': z.object({
    operationId: z.string(),
    kind: z.enum(['export', 'inspect', 'restore', 'snapshot']),
    phase: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  /** Backup files, snapshots or the schedule changed; or a restore completed. */
  'backups:changed': z.object({ reason: z.enum(['export', 'restore', 'schedule', 'snapshot', 'retention']) }),
  /**
   * A restore committed and every area has reloaded what it caches: every window refetches
   * everything it shows (the store may hold entirely different rows now).
   */
  'backups:restored': z.object({ atMs: z.number().int() }),
};
