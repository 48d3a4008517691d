import type { Database } from 'better-sqlite3';

/**
 * Why a webhook 404 is worth another try, from the synced workflows: a workflow of the instance
 * that n8n reports active serves that path (n8n 2.x registers webhooks a moment after activation;
 * the console's own activation marks the row at once). The fuller signal, with a grace after the
 * workflow went live, is n8n/webhook-grace.ts (issue #13); wire-modules uses this one until then.
 */
export function createActiveWebhookReason(db: Database) {
  const select = db.prepare(`SELECT w.name FROM workflows w, json_each(w.webhook_paths_json) p
    WHERE w.instance_id = ? AND p.value = ? AND w.active = 1 LIMIT 1`);
  return (instanceId: string, webhookPath: string): string | null => {
    const path = webhookPath.replace(/^\/+/, '').replace(/\/+$/, '');
    const name = select.pluck().get(instanceId, path) as string | undefined;
    return name === undefined
      ? null
      : `n8n reports "${name}" active with this webhook path: taken for a webhook n8n has not registered yet, so it is retried.`;
  };
}
