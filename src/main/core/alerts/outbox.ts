import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import {
  alertKind,
  isAlertKind,
  notifierUrlSchema,
  type Alert,
  type AlertNotifier,
  type CallArgs,
  type OutboxEntry,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { Announce, Store } from '../db/store';
import type { SecretBox } from '../instances/secret-box';
import type { Logger } from '../logger';
import type { MonitoringLog } from '../metrics/monitoring-log';

/** One POST of a notice. Resolves with the status; rejects on a network error or timeout. */
export type NotifierPost = (request: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}) => Promise<{ status: number }>;

export interface OutboxOptions {
  /** How a notice is posted (tests may pass their own); default undici, no redirects. */
  post?: NotifierPost;
  /** Per attempt (ms, default 10 000). */
  timeoutMs?: number;
  /** Attempts before a notice is given up (default 8). */
  maxAttempts?: number;
  /** Wait before the second attempt (ms, default 5 000); doubles each time up to `maxBackoffMs`. */
  backoffMs?: number;
  /** Longest wait between attempts (ms, default 15 min). */
  maxBackoffMs?: number;
}

interface NotifierRow {
  url_enc: string;
  url_hint: string;
  secret_enc: string | null;
  enabled: number;
  notify_resolved: number;
}

interface OutboxRow {
  id: number;
  alert_id: number | null;
  event: OutboxEntry['event'];
  text: string;
  body_json: string;
  state: OutboxEntry['state'];
  attempts: number;
  next_attempt_at_ms: number | null;
  last_error: string | null;
  created_at_ms: number;
  delivered_at_ms: number | null;
}

const URL_CONTEXT = 'alert-notifier:url';
const SECRET_CONTEXT = 'alert-notifier:secret';
/** Header carrying `sha256=<hex HMAC of the body>` when a signing secret is set. */
export const SIGNATURE_HEADER = 'x-flightdeck-signature';

const toEntry = (row: OutboxRow): OutboxEntry => ({
  id: row.id,
  alertId: row.alert_id,
  event: row.event,
  text: row.text,
  state: row.state,
  attempts: row.attempts,
  nextAttemptAtMs: row.next_attempt_at_ms,
  lastError: row.last_error,
  createdAtMs: row.created_at_ms,
  deliveredAtMs: row.delivered_at_ms,
});

/** The contract's check, then the URL class's (shared code has none): what is sealed must parse. */
function checkedUrl(value: string): string {
  const url = notifierUrlSchema.parse(value);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('VALIDATION', 'Not a web address: enter one like https://hooks.slack.com/services/…');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password)
    throw new AppError('VALIDATION', 'Only http and https addresses, without credentials, can be notified.');
  return url;
}

/** The origin only: `https://hooks.slack.com/…`. The path of a Slack address is its token. */
const hintOf = (url: string) => `${new URL(url).origin}/…`;

function defaultPost(): NotifierPost & { close(): Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 4 });
  const post: NotifierPost = async ({ url, body, headers, timeoutMs }) => {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'Flightdeck', ...headers },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain so the connection is reused; the answer's text is not kept (it may echo the address).
    await response.body.dump();
    return { status: response.statusCode };
  };
  return Object.assign(post, { close: () => agent.close() });
}

/** The Slack-compatible body of a notice: `text` for chat, the rest for machines. */
export function noticeBody(alert: Alert, event: 'fired' | 'resolved', now: number) {
  const unit = isAlertKind(alert.kind) ? alertKind(alert.kind).valueUnit : '';
  const text =
    event === 'fired'
      ? `Alert: ${alert.ruleName} — ${alert.message}`
      : `Resolved: ${alert.ruleName} — ${alert.subjectLabel} is back to normal.`;
  return {
    text,
    event,
    sentAt: new Date(now).toISOString(),
    alert: {
      id: alert.id,
      rule: alert.ruleName,
      ruleId: alert.ruleId,
      kind: alert.kind,
      subject: alert.subjectLabel,
      subjectKey: alert.subject,
      state: alert.state,
      value: alert.value,
      threshold: alert.threshold,
      unit,
      message: alert.message,
      firedAt: new Date(alert.firedAtMs).toISOString(),
      resolvedAt: alert.resolvedAtMs === null ? null : new Date(alert.resolvedAtMs).toISOString(),
    },
  };
}

/**
 * The webhook notifier and its durable outbox. Notices are written in the transaction that
 * fires or resolves the alert (so none is lost to a crash), then posted by `deliverDue` in the
 * background with exponential backoff: evaluation never waits on the network. The address and
 * the signing secret are sealed at rest and never leave this module (not in calls, events,
 * audit, logs or errors).
 */
export function createAlertOutbox(deps: {
  store: Store;
  now: () => number;
  box: SecretBox;
  audit: AuditLog;
  operator: () => string;
  monitor: MonitoringLog;
  logger: Logger;
  options?: OutboxOptions;
}) {
  const { store, now, box } = deps;
  const { db } = store;
  const opts = deps.options ?? {};
  const ownPost = opts.post ? undefined : defaultPost();
  const post: NotifierPost = opts.post ?? (ownPost as NotifierPost);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoffMs = opts.backoffMs ?? 5_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 15 * 60_000;

  const notifierRow = db.prepare('SELECT * FROM alert_notifier WHERE id = 1');
  const insert = db.prepare(`INSERT INTO alert_outbox (alert_id, event, text, body_json, state, next_attempt_at_ms,
    created_at_ms) VALUES (?, ?, ?, ?, 'pending', ?, ?)`);
  const due = db.prepare(
    "SELECT * FROM alert_outbox WHERE state = 'pending' AND next_attempt_at_ms <= ? ORDER BY id LIMIT 20",
  );
  const delivered = db.prepare(`UPDATE alert_outbox SET state = 'delivered', attempts = attempts + 1,
    next_attempt_at_ms = NULL, last_error = NULL, delivered_at_ms = ? WHERE id = ? AND state = 'pending'`);
  const retry = db.prepare(`UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ?
    WHERE id = ? AND state = 'pending'`);
  const giveUp = db.prepare(`UPDATE alert_outbox SET state = 'failed', attempts = attempts + 1,
    next_attempt_at_ms = NULL, last_error = ? WHERE id = ? AND state = 'pending'`);
  const dropPending = db.prepare(`UPDATE alert_outbox SET state = 'failed', next_attempt_at_ms = NULL,
    last_error = ? WHERE state = 'pending'`);
  const stats = db.prepare(`SELECT
      coalesce(SUM(state = 'pending'), 0) AS pending, coalesce(SUM(state = 'failed'), 0) AS failed,
      coalesce(SUM(state = 'delivered'), 0) AS delivered, MAX(delivered_at_ms) AS lastDeliveredAtMs
    FROM alert_outbox`);
  const lastError = db
    .prepare('SELECT last_error FROM alert_outbox WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 1')
    .pluck();

  const changed = (announce: Announce) => announce('alerts:outboxChanged', { atMs: now() });

  function view(): AlertNotifier {
    const row = notifierRow.get() as NotifierRow | undefined;
    const s = stats.get() as Omit<AlertNotifier['outbox'], 'lastError'>;
    return {
      configured: Boolean(row),
      enabled: row?.enabled === 1,
      target: row?.url_hint ?? null,
      hasSecret: Boolean(row?.secret_enc),
      notifyResolved: row ? row.notify_resolved === 1 : true,
      outbox: { ...s, lastError: (lastError.get() as string | undefined) ?? null },
    };
  }

  /** Queues a notice inside the caller's write when a notifier is set up and enabled for it. */
  function enqueue(announce: Announce, alert: Alert, event: 'fired' | 'resolved'): void {
    const row = notifierRow.get() as NotifierRow | undefined;
    if (!row || row.enabled !== 1) return;
    if (event === 'resolved' && row.notify_resolved !== 1) return;
    const at = now();
    const body = noticeBody(alert, event, at);
    insert.run(alert.id, event, body.text, JSON.stringify(body), at, at);
    changed(announce);
  }

  function audited(action: string, details: Record<string, unknown>) {
    return (announce: Announce) =>
      deps.audit.record(announce, {
        actor: deps.operator(),
        action,
        targetType: 'alert_notifier',
        targetId: 'webhook',
        details,
      });
  }

  function set(args: CallArgs<'alerts:setNotifier'>): AlertNotifier {
    return store.write((announce) => {
      const before = notifierRow.get() as NotifierRow | undefined;
      if (!before && args.url === undefined)
        throw new AppError('VALIDATION', 'Enter the webhook address to notify.', { details: [{ path: ['url'] }] });
      // The contract checked it; checked again here because this is where it is sealed and used.
      const url = args.url === undefined ? undefined : checkedUrl(args.url);
      const urlEnc = url === undefined ? (before as NotifierRow).url_enc : box.encrypt(url, URL_CONTEXT);
      const urlHint = url === undefined ? (before as NotifierRow).url_hint : hintOf(url);
      const secretEnc =
        args.secret === undefined
          ? (before?.secret_enc ?? null)
          : args.secret === null
            ? null
            : box.encrypt(args.secret, SECRET_CONTEXT);
      db.prepare(
        `INSERT INTO alert_notifier (id, url_enc, url_hint, secret_enc, enabled, notify_resolved, updated_at_ms)
         VALUES (1, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url_enc = excluded.url_enc,
         url_hint = excluded.url_hint, secret_enc = excluded.secret_enc, enabled = excluded.enabled,
         notify_resolved = excluded.notify_resolved, updated_at_ms = excluded.updated_at_ms`,
      ).run(urlEnc, urlHint, secretEnc, args.enabled ? 1 : 0, args.notifyResolved ? 1 : 0, now());
      audited(before ? 'alert_notifier.update' : 'alert_notifier.create', {
        target: urlHint,
        addressChanged: url !== undefined,
        hasSecret: secretEnc !== null,
        enabled: args.enabled,
        notifyResolved: args.notifyResolved,
      })(announce);
      changed(announce);
      return view();
    });
  }

  function remove(): AlertNotifier {
    return store.write((announce) => {
      const before = notifierRow.get() as NotifierRow | undefined;
      if (!before) return view();
      db.prepare('DELETE FROM alert_notifier WHERE id = 1').run();
      dropPending.run('The notifier was removed before this notice was delivered.');
      audited('alert_notifier.remove', { target: before.url_hint })(announce);
      changed(announce);
      return view();
    });
  }

  function test(): { queued: number } {
    return store.write((announce) => {
      const row = notifierRow.get() as NotifierRow | undefined;
      if (!row) throw new AppError('CONFLICT', 'Set up the webhook notifier first.');
      if (row.enabled !== 1) throw new AppError('CONFLICT', 'The notifier is disabled: enable it to send a test.');
      const at = now();
      const text = 'Test from Flightdeck: alert notices will arrive here.';
      const body = { text, event: 'test', sentAt: new Date(at).toISOString(), alert: null };
      const id = Number(insert.run(null, 'test', text, JSON.stringify(body), at, at).lastInsertRowid);
      changed(announce);
      return { queued: id };
    });
  }

  const list = ({ limit }: CallArgs<'alerts:outbox'>) => ({
    entries: (db.prepare('SELECT * FROM alert_outbox ORDER BY id DESC LIMIT ?').all(limit) as OutboxRow[]).map(toEntry),
  });

  /** The address and secret, opened; null when none is set, it is disabled or does not open here. */
  function openNotifier(): { url: string; secret: string | null } | { error: string } | null {
    const row = notifierRow.get() as NotifierRow | undefined;
    if (!row || row.enabled !== 1) return null;
    try {
      return {
        url: box.decrypt(row.url_enc, URL_CONTEXT).plain,
        secret: row.secret_enc ? box.decrypt(row.secret_enc, SECRET_CONTEXT).plain : null,
      };
    } catch {
      // A restored backup without its key, or another machine's: the operator must set it again.
      return { error: 'The notifier address cannot be read on this machine: set the webhook address again.' };
    }
  }

  const backoff = (attempt: number) => Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, attempt - 1));

  /** Words for a failed attempt that never carry the address or the secret. */
  function reason(error: unknown, url: string, secret: string | null): string {
    const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
    const code = e.cause?.code ?? e.code;
    const text =
      e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT'
        ? `No answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`
        : code
          ? `Could not reach ${hintOf(url)} (${code})`
          : `Could not reach ${hintOf(url)}`;
    return secret ? text.split(secret).join('[secret]') : text;
  }

  let running: Promise<number> | null = null;
  let stopped = false;

  /**
   * Posts the notices that are due, one after another. One run at a time; a second call while
   * one runs joins it. Resolves with the number delivered. Never throws.
   */
  function deliverDue(): Promise<number> {
    if (running) return running;
    if (stopped) return Promise.resolve(0);
    const run = (async () => {
      let count = 0;
      try {
        const target = openNotifier();
        if (!target) return 0;
        const rows = due.all(now()) as OutboxRow[];
        if ('error' in target) {
          if (rows.length > 0)
            store.write((announce) => {
              dropPending.run(target.error);
              changed(announce);
            });
          return 0;
        }
        for (const row of rows) {
          const headers: Record<string, string> = {};
          if (target.secret)
            headers[SIGNATURE_HEADER] =
              `sha256=${createHmac('sha256', target.secret).update(row.body_json).digest('hex')}`;
          let failure: { message: string; permanent: boolean } | null = null;
          try {
            const { status } = await post({ url: target.url, body: row.body_json, headers, timeoutMs });
            if (status < 200 || status > 299)
              failure = {
                message: `HTTP ${status} from ${hintOf(target.url)}`,
                // A 4xx (other than 408 and 429) says the address or body is wrong: retrying will not help.
                permanent: status >= 400 && status < 500 && status !== 408 && status !== 429,
              };
          } catch (error) {
            failure = { message: reason(error, target.url, target.secret), permanent: false };
          }
          store.write((announce) => {
            const at = now();
            if (!failure) {
              delivered.run(at, row.id);
              count++;
            } else if (failure.permanent || row.attempts + 1 >= maxAttempts) {
              giveUp.run(failure.message, row.id);
              deps.monitor.record(announce, {
                severity: 'error',
                kind: 'alert.notify_failed',
                message: `An alert notice could not be delivered after ${row.attempts + 1} attempts: ${failure.message}.`,
                fields: { outboxId: row.id, alertId: row.alert_id },
              });
            } else {
              retry.run(at + backoff(row.attempts + 1), failure.message, row.id);
            }
            changed(announce);
          });
        }
      } catch (error) {
        deps.logger.error('Alert notices could not be delivered', { error: (error as Error).message });
      }
      return count;
    })();
    running = run;
    void run.finally(() => {
      if (running === run) running = null;
    });
    return run;
  }

  /**
   * After a restore: notices the backup still had waiting are old news (and may name rules that
   * changed since); they are marked failed, not posted.
   */
  function restored(): void {
    store.write((announce) => {
      if (dropPending.run('Dropped by a restore: this notice was waiting when the backup was taken.').changes > 0)
        changed(announce);
    });
  }

  /** Forgets delivered and failed notices created before `beforeMs` (the history setting). */
  const prune = (beforeMs: number): number =>
    db.prepare("DELETE FROM alert_outbox WHERE state != 'pending' AND created_at_ms < ?").run(beforeMs).changes;

  /** Waits for a delivery run in flight (at stop). */
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    await running;
    await ownPost?.close();
  }

  return {
    enqueue,
    deliverDue,
    restored,
    prune,
    stop,
    handlers: {
      'alerts:getNotifier': () => view(),
      'alerts:setNotifier': set,
      'alerts:removeNotifier': remove,
      'alerts:testNotifier': test,
      'alerts:outbox': list,
    },
  };
}

export type AlertOutbox = ReturnType<typeof createAlertOutbox>;
