import type { Database } from 'better-sqlite3';
import { liveVersionOf } from './live-version';
import { webhookPaths } from './remote-store';
import type { N8nWorkflow } from './schemas';

/** How long after a workflow went live a 404 on its webhook is taken for n8n still registering it, ms. */
export const WEBHOOK_GRACE_MS = 60_000;

export interface WebhookGraceOptions {
  /** Default WEBHOOK_GRACE_MS (60 s). n8n 2.41 took ~250 ms here; a busy instance takes longer. */
  graceMs?: number;
  /**
   * The live workflows n8n reports now (e.g. `clients.forInstance(id).listWorkflows({ active:
   * true })`), for `webhookGraceReasonLive` when the synced copy does not know the workflow live
   * yet (published in n8n's editor a moment ago).
   */
  liveWorkflows?: (instanceId: string) => Promise<N8nWorkflow[]>;
}

/** Why a webhook 404 is worth another try, in words for the run's reason; null when it is not. */
export type WebhookGraceReason = string | null;

interface LiveRow {
  name: string;
  active: number;
  live_since_ms: number | null;
}

const normalise = (path: string) => path.replace(/^\/+/, '').replace(/\/+$/, '');

/**
 * The signal the dispatcher needs to classify a 404 from POST /webhook/<path>: n8n 2.x
 * registers webhooks asynchronously, so right after a publish (or an activation) the path
 * answers 404 for a moment. A 404 is worth a retry with backoff, not a dead letter, when a
 * workflow of that instance serves that path in the version that is live and either
 *
 * - Flightdeck saw that version go live within the grace (its own publish, or a sync pass), or
 * - n8n reports the workflow live (the last sync, or the console's own publish).
 *
 * Synchronous and cheap (one indexed read of the synced workflows), so it fits inside the
 * dispatcher's outcome classification. Paths are compared without leading/trailing slashes.
 */
export function createWebhookGrace(db: Database, options: WebhookGraceOptions = {}) {
  const graceMs = options.graceMs ?? WEBHOOK_GRACE_MS;
  const select =
    db.prepare(`SELECT w.name, w.active, w.live_since_ms FROM workflows w, json_each(w.webhook_paths_json) p
    WHERE w.instance_id = ? AND p.value = ? AND w.is_archived = 0
    ORDER BY w.active DESC, w.live_since_ms DESC LIMIT 1`);

  /** Why a 404 at `webhookPath` on `instanceId` at `nowMs` should be retried; null: it is final. */
  function webhookGraceReason(instanceId: string, webhookPath: string, nowMs: number): WebhookGraceReason {
    const row = select.get(instanceId, normalise(webhookPath)) as LiveRow | undefined;
    if (!row) return null;
    const since = row.live_since_ms === null ? null : nowMs - row.live_since_ms;
    const recent = since !== null && since >= 0 && since <= graceMs;
    const seconds = since === null ? 0 : Math.max(0, Math.round(since / 1000));
    if (row.active === 1 && recent) {
      return `n8n reports "${row.name}" active, live since ${seconds} s ago: n8n registers its webhooks a moment after a publish or activation, so this 404 is retried.`;
    }
    if (row.active === 1) {
      return `n8n reports "${row.name}" active with this webhook path: taken for a webhook n8n has not registered yet, so it is retried.`;
    }
    // The console's own publish (or a sync) saw it go live, and a later pass read n8n's list
    // before that landed: the stamp is the better witness for the grace.
    if (recent) {
      return `"${row.name}" went live ${seconds} s ago: n8n registers its webhooks a moment after a publish or activation, so this 404 is retried.`;
    }
    return null;
  }

  /**
   * Like `webhookGraceReason`, and when the synced copy says nothing, asks n8n which workflows
   * are live (one list call, only on a 404). For a dispatcher that can await; never throws (n8n
   * unreachable: null, the 404 stands).
   */
  async function webhookGraceReasonLive(
    instanceId: string,
    webhookPath: string,
    nowMs: number,
  ): Promise<WebhookGraceReason> {
    const known = webhookGraceReason(instanceId, webhookPath, nowMs);
    if (known || !options.liveWorkflows) return known;
    try {
      const path = normalise(webhookPath);
      for (const w of await options.liveWorkflows(instanceId)) {
        const live = liveVersionOf(w);
        if (w.active && live && webhookPaths({ id: w.id, nodes: live.nodes }).includes(path))
          return `n8n reports "${w.name}" active with this webhook path (not synced yet): taken for a webhook n8n has not registered yet, so it is retried.`;
      }
    } catch {
      // n8n unreachable or refusing: nothing says the 404 is temporary.
    }
    return null;
  }

  return {
    webhookGraceReason,
    webhookGraceReasonLive,
    /** True when a 404 at `webhookPath` should be retried with backoff instead of dead-lettered. */
    webhookGrace: (instanceId: string, webhookPath: string, nowMs: number): boolean =>
      webhookGraceReason(instanceId, webhookPath, nowMs) !== null,
  };
}

export type WebhookGrace = ReturnType<typeof createWebhookGrace>;
