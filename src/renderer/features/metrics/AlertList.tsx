import { useState, type ReactNode } from 'react';
import type { Alert } from '../../../shared/contract';
import { DataTable, DetailSplit, detailFacts, type DataColumn } from '../../components/DataTable';
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
  const [openId, setOpenId] = useState<number | null>(null);

  /** Acknowledge, silence or unsilence: the same buttons in a row and in the detail. */
  const actionsFor = (a: Alert) => {
    const silenced = a.silencedUntilMs !== null && a.silencedUntilMs > now;
    return (
      // A click on a button acts; it does not open the row.
      <div className={styles.actions} onClick={(e) => e.stopPropagation()}>
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
    );
  };

  const columns: DataColumn<Alert>[] = [
    {
      id: 'state',
      header: 'State',
      accessorFn: (a) => attention(a, now).label,
      size: 190,
      cell: ({ row }) => {
        const state = attention(row.original, now);
        return (
          <span className={`${styles.pill} ${state.className}`} title={state.title}>
            {state.label}
          </span>
        );
      },
    },
    { id: 'rule', header: 'Rule', accessorFn: (a) => a.ruleName, size: 160 },
    {
      id: 'subject',
      header: 'Subject',
      accessorFn: (a) => a.subjectLabel,
      size: 220,
      cell: ({ row }) => <span title={row.original.subject}>{row.original.subjectLabel}</span>,
    },
    {
      id: 'what',
      header: 'What',
      accessorFn: (a) => a.message,
      size: 300,
      cell: ({ row }) => <span title={row.original.message}>{row.original.message}</span>,
    },
    {
      id: 'fired',
      header: 'Fired',
      accessorFn: (a) => a.firedAtMs,
      size: 150,
      sortDescFirst: true,
      cell: ({ row }) => formatTime(row.original.firedAtMs),
    },
    {
      id: 'resolved',
      header: 'Resolved',
      accessorFn: (a) => a.resolvedAtMs ?? 0,
      size: 150,
      cell: ({ row }) => (row.original.resolvedAtMs ? formatTime(row.original.resolvedAtMs) : '—'),
    },
    {
      id: 'actions',
      header: 'Actions',
      enableSorting: false,
      size: 260,
      cell: ({ row }) => actionsFor(row.original),
    },
  ];

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
            <DetailSplit
              storageKey="alerts"
              detail={(() => {
                const a = rows.find((r) => r.id === openId);
                return a ? (
                  <AlertDetail alert={a} now={now} actions={actionsFor(a)} onClose={() => setOpenId(null)} />
                ) : null;
              })()}
            >
              <DataTable
                storageKey="alerts"
                label={view === 'open' ? 'Firing alerts' : 'Alert history'}
                testId="alert-history"
                columns={columns}
                data={rows}
                rowId={(a) => String(a.id)}
                openId={openId === null ? null : String(openId)}
                onOpen={(a) => setOpenId(a.id)}
                onClose={() => setOpenId(null)}
                defaultSorting={[{ id: 'fired', desc: true }]}
                rowAttributes={(a) => ({
                  'data-testid': 'alert-row',
                  'data-state': attention(a, now).label.split(' ')[0]?.toLowerCase() ?? '',
                })}
                height="min(60vh, 520px)"
              />
            </DetailSplit>
          )
        }
      </Loaded>
    </section>
  );
}

/** One alert in full, with its actions. */
function AlertDetail({
  alert: a,
  now,
  actions,
  onClose,
}: {
  alert: Alert;
  now: number;
  actions: ReactNode;
  onClose(): void;
}) {
  const state = attention(a, now);
  return (
    <aside className={styles.section} aria-label={`Alert ${a.ruleName}`} data-testid="alert-detail">
      <div className={styles.head}>
        <h3>{a.ruleName}</h3>
        <span className={`${styles.pill} ${state.className}`}>{state.label}</span>
        <span className={styles.spacer} />
        <button type="button" onClick={onClose} aria-label="Close the alert">
          ×
        </button>
      </div>
      <p>{a.message}</p>
      <dl className={detailFacts}>
        <dt>Subject</dt>
        <dd title={a.subject}>{a.subjectLabel}</dd>
        <dt>Fired</dt>
        <dd>{formatTime(a.firedAtMs)}</dd>
        <dt>Resolved</dt>
        <dd>{a.resolvedAtMs ? formatTime(a.resolvedAtMs) : 'not yet'}</dd>
        {a.acknowledgedAtMs !== null && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {formatTime(a.acknowledgedAtMs)} by {a.acknowledgedBy ?? 'someone'}
            </dd>
          </>
        )}
        {a.silencedUntilMs !== null && a.silencedUntilMs > now && (
          <>
            <dt>Silenced until</dt>
            <dd>{formatTime(a.silencedUntilMs)}</dd>
          </>
        )}
      </dl>
      {actions}
    </aside>
  );
}
