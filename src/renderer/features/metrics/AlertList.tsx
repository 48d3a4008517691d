import { useState } from 'react';
import type { Alert } from '../../../shared/contract';
import { EmptyState } from '../../components/EmptyState';
import { CanButton } from '../../components/Guarded';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { useCan } from '../../stores/auth-store';
import styles from './Alerts.module.css';
import { formatTime } from './format';

/** Silence choices: long enough to fix the cause, short enough not to forget it. */
export const SILENCE_CHOICES = [
  { label: '15 minutes', ms: 15 * 60_000 },
  { label: '1 hour', ms: 60 * 60_000 },
  { label: '4 hours', ms: 4 * 60 * 60_000 },
  { label: '24 hours', ms: 24 * 60 * 60_000 },
  { label: '7 days', ms: 7 * 24 * 60 * 60_000 },
] as const;

const shortTime = (ms: number) =>
  new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Where an alert stands, for the operator: firing, acknowledged, silenced or resolved. */
function attention(a: Alert, now: number): { label: string; className: string; title?: string } {
  if (a.state === 'resolved') return { label: 'Resolved', className: styles.resolved ?? '' };
  if (a.silencedUntilMs !== null && a.silencedUntilMs > now)
    return {
      label: `Silenced until ${shortTime(a.silencedUntilMs)}`,
      className: styles.silenced ?? '',
    };
  if (a.acknowledgedAtMs !== null)
    return {
      label: 'Acknowledged',
      className: styles.acknowledged ?? '',
      title: `By ${a.acknowledgedBy ?? 'someone'} at ${formatTime(a.acknowledgedAtMs)}`,
    };
  return { label: 'Firing', className: styles.firing ?? '' };
}

/** Firing alerts (or the whole history) with acknowledge and silence. */
export function AlertList() {
  const [view, setView] = useState<'open' | 'all'>('open');
  // Polled slowly too: a silence running out is not an event.
  const alerts = useCall('alerts:list', view === 'open' ? { state: 'open', limit: 200 } : { limit: 200 }, {
    refetchInterval: 60_000,
  });
  const acknowledge = useAction('alerts:acknowledge');
  const silence = useAction('alerts:silence');
  const maySilence = useCan('alerts:silence');
  const unsilence = useAction('alerts:unsilence');
  const now = Date.now();

  return (
    <section className={styles.section} aria-labelledby="alerts-title" data-testid="alert-list">
      <div className={styles.head}>
        <h2 id="alerts-title">Alerts</h2>
        <div className={styles.segmented} role="group" aria-label="Which alerts">
          <button
            type="button"
            aria-pressed={view === 'open'}
            onClick={() => setView('open')}
            data-testid="alerts-open"
          >
            Firing
          </button>
          <button type="button" aria-pressed={view === 'all'} onClick={() => setView('all')} data-testid="alerts-all">
            History
          </button>
        </div>
      </div>
      <Loaded query={alerts} what="alerts">
        {({ alerts: rows }) =>
          rows.length === 0 ? (
            <EmptyState title={view === 'open' ? 'Nothing firing' : 'No alerts yet'}>
              {view === 'open'
                ? 'No rule is breached right now. Alerts appear here when one fires, and leave when its condition clears.'
                : 'No rule has fired. Alerts and their resolve notices will be listed here, newest first.'}
            </EmptyState>
          ) : (
            <table className={styles.table} data-testid="alert-history">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Rule</th>
                  <th>Subject</th>
                  <th>What</th>
                  <th>Fired</th>
                  <th>Resolved</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => {
                  const state = attention(a, now);
                  const silenced = a.silencedUntilMs !== null && a.silencedUntilMs > now;
                  return (
                    <tr key={a.id} data-testid="alert-row" data-state={state.label.split(' ')[0]?.toLowerCase()}>
                      <td className={styles.nowrap}>
                        <span className={`${styles.pill} ${state.className}`} title={state.title}>
                          {state.label}
                        </span>
                      </td>
                      <td>{a.ruleName}</td>
                      <td title={a.subject}>{a.subjectLabel}</td>
                      <td>{a.message}</td>
                      <td className={styles.nowrap}>{formatTime(a.firedAtMs)}</td>
                      <td className={styles.nowrap}>{a.resolvedAtMs ? formatTime(a.resolvedAtMs) : '—'}</td>
                      <td>
                        <div className={styles.actions}>
                          {a.state === 'open' && a.acknowledgedAtMs === null && (
                            <CanButton
                              channel="alerts:acknowledge"
                              type="button"
                              onClick={() => acknowledge.mutate({ id: a.id })}
                              disabled={acknowledge.isPending}
                              data-testid="ack-alert"
                            >
                              Acknowledge
                            </CanButton>
                          )}
                          {silenced ? (
                            <CanButton
                              channel="alerts:unsilence"
                              type="button"
                              onClick={() => unsilence.mutate({ id: a.id })}
                              data-testid="unsilence-alert"
                            >
                              Unsilence
                            </CanButton>
                          ) : (
                            a.state === 'open' && (
                              <select
                                aria-label={`Silence ${a.ruleName} for`}
                                value=""
                                disabled={!maySilence.ok}
                                title={maySilence.reason}
                                onChange={(e) => {
                                  const ms = Number(e.target.value);
                                  if (ms > 0) silence.mutate({ id: a.id, forMs: ms });
                                }}
                                data-testid="silence-alert"
                              >
                                <option value="">Silence for…</option>
                                {SILENCE_CHOICES.map((c) => (
                                  <option key={c.ms} value={c.ms}>
                                    {c.label}
                                  </option>
                                ))}
                              </select>
                            )
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
