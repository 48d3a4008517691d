import { useState } from 'react';
import { notifierUrlSchema, type AlertNotifier as Notifier } from '../../../shared/contract';
import { CanButton } from '../../components/Guarded';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import styles from './Alerts.module.css';
import { formatTime } from './format';

/**
 * The webhook notifier: alerts post Slack-compatible JSON to an address, through the core's
 * outbox (retried with backoff). The address and the signing secret go in and never come back:
 * the core shows only the origin.
 */
export function AlertNotifierPanel() {
  const notifier = useCall('alerts:getNotifier', {});
  return (
    <section className={styles.section} aria-labelledby="notifier-title" data-testid="notifier">
      <div className={styles.head}>
        <h2 id="notifier-title">Notify a webhook</h2>
      </div>
      <Loaded query={notifier} what="the notifier">
        {(n) => <NotifierForm key={`${n.configured}-${n.target ?? ''}`} notifier={n} />}
      </Loaded>
    </section>
  );
}

function NotifierForm({ notifier: n }: { notifier: Notifier }) {
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [dropSecret, setDropSecret] = useState(false);
  const [enabled, setEnabled] = useState(n.configured ? n.enabled : true);
  const [notifyResolved, setNotifyResolved] = useState(n.notifyResolved);
  const [touched, setTouched] = useState(false);
  const save = useAction('alerts:setNotifier', { quiet: true });
  const test = useAction('alerts:testNotifier');
  const remove = useAction('alerts:removeNotifier');
  const outbox = useCall('alerts:outbox', { limit: 10 });

  const urlProblem =
    url.trim() === ''
      ? n.configured
        ? undefined
        : 'Enter the webhook address to notify.'
      : (notifierUrlSchema.safeParse(url).error?.issues[0]?.message ?? undefined);
  const secretProblem = secret !== '' && secret.length < 8 ? 'A signing secret has at least 8 characters.' : undefined;

  const submit = async () => {
    setTouched(true);
    if (urlProblem || secretProblem) return;
    const saved = await save.run({
      ...(url.trim() ? { url: url.trim() } : {}),
      ...(dropSecret ? { secret: null } : secret ? { secret } : {}),
      enabled,
      notifyResolved,
    });
    if (saved) {
      setUrl('');
      setSecret('');
      setDropSecret(false);
      setTouched(false);
    }
  };

  return (
    <>
      <p className={styles.status} data-testid="notifier-status">
        {n.configured ? (
          <>
            {n.enabled ? 'Posting to ' : 'Paused: '}
            <strong>{n.target}</strong>
            {n.hasSecret && ' · signed'} · {n.outbox.delivered} delivered · {n.outbox.pending} waiting ·{' '}
            {n.outbox.failed} failed
            {n.outbox.lastDeliveredAtMs !== null && ` · last ${formatTime(n.outbox.lastDeliveredAtMs)}`}
          </>
        ) : (
          <span className={styles.muted}>
            Not set up. Alerts notify this window and the desktop; add a webhook (Slack incoming webhook, or any
            endpoint taking JSON) to reach a team channel too.
          </span>
        )}
      </p>
      <form
        className={styles.form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        data-testid="notifier-form"
      >
        <label className={`${styles.field} ${styles.wide}`}>
          <span>Webhook address</span>
          <input
            type="url"
            autoComplete="off"
            spellCheck={false}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            onBlur={() => setTouched(true)}
            placeholder={
              n.configured
                ? 'Stored (not shown) — type a new address to replace it'
                : 'https://hooks.slack.com/services/…'
            }
            data-testid="notifier-url"
          />
          {/* Always one line, so a problem shown on blur does not move the Save button. */}
          {touched && urlProblem ? (
            <span className={styles.problem}>{urlProblem}</span>
          ) : (
            <span className={styles.hint}>
              A Slack incoming webhook, or any endpoint that takes JSON (http or https).
            </span>
          )}
        </label>
        <label className={styles.field}>
          <span>Signing secret (optional)</span>
          <input
            type="password"
            autoComplete="new-password"
            value={secret}
            disabled={dropSecret}
            onChange={(e) => setSecret(e.target.value)}
            placeholder={n.hasSecret ? 'Stored — type to replace' : 'Signs each body (HMAC-SHA256)'}
            data-testid="notifier-secret"
          />
          {secretProblem ? (
            <span className={styles.problem}>{secretProblem}</span>
          ) : (
            <span className={styles.hint}>Sent as X-Flightdeck-Signature: sha256=…</span>
          )}
        </label>
        <div className={styles.field}>
          <label className={styles.check}>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Send notices
          </label>
          <label className={styles.check}>
            <input type="checkbox" checked={notifyResolved} onChange={(e) => setNotifyResolved(e.target.checked)} />
            Also when an alert resolves
          </label>
          {n.hasSecret && (
            <label className={styles.check}>
              <input type="checkbox" checked={dropSecret} onChange={(e) => setDropSecret(e.target.checked)} />
              Remove the signing secret
            </label>
          )}
        </div>
        <div className={`${styles.actions} ${styles.wide}`}>
          <CanButton
            channel="alerts:setNotifier"
            type="submit"
            className={styles.primary}
            disabled={save.isPending}
            data-testid="notifier-save"
          >
            {n.configured ? 'Save' : 'Set up'}
          </CanButton>
          {n.configured && (
            <>
              <CanButton
                channel="alerts:testNotifier"
                type="button"
                onClick={() => test.mutate({})}
                disabled={!n.enabled || test.isPending}
                data-testid="notifier-test"
              >
                Send a test
              </CanButton>
              <CanButton
                channel="alerts:removeNotifier"
                type="button"
                className={styles.danger}
                onClick={() => {
                  if (window.confirm('Remove the webhook notifier? Notices not yet delivered are dropped.'))
                    remove.mutate({});
                }}
                data-testid="notifier-remove"
              >
                Remove
              </CanButton>
            </>
          )}
          {save.error && (
            <span className={styles.problem} role="alert">
              {save.error.message}
            </span>
          )}
        </div>
      </form>
      {n.configured && (outbox.data?.entries.length ?? 0) > 0 && (
        <table className={styles.table} data-testid="outbox">
          <caption className={styles.muted} style={{ textAlign: 'left' }}>
            Recent notices
          </caption>
          <thead>
            <tr>
              <th>Queued</th>
              <th>Notice</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Last problem</th>
            </tr>
          </thead>
          <tbody>
            {outbox.data?.entries.map((e) => (
              <tr key={e.id} data-testid="outbox-row">
                <td className={styles.nowrap}>{formatTime(e.createdAtMs)}</td>
                <td>{e.text}</td>
                <td className={styles.nowrap}>
                  {e.state === 'pending' && e.nextAttemptAtMs !== null && e.attempts > 0
                    ? `retry ${formatTime(e.nextAttemptAtMs)}`
                    : e.state}
                </td>
                <td>{e.attempts}</td>
                <td>{e.lastError ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
