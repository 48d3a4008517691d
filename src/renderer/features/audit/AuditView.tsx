import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry, AuditVerify } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { downloadText } from '../../files';

const TARGETS = ['', 'approval', 'approval_rule', 'mapping', 'settings'] as const;

/**
 * What an entry is about. Runs are named as everywhere else (`FD-29`, `n8n #812 on prod`, recorded
 * with the entry), with the run a retry created: `FD-29 → retried as FD-41`.
 */
function targetText(e: AuditEntry): string {
  const run = typeof e.details.run === 'string' ? e.details.run : null;
  const created = typeof e.details.newRun === 'string' ? e.details.newRun : null;
  if (e.targetType === 'execution' && run) return created ? `${run} → retried as ${created}` : run;
  return `${e.targetType}${e.targetId ? ` #${e.targetId}` : ''}`;
}

/** The hash-chained audit log: newest first, export as JSON, verify the chain for tampering. */
export function AuditView() {
  const [targetType, setTargetType] = useState<(typeof TARGETS)[number]>('');
  // Team mode names each person: the entries of one of them (a user name, `system`, `rule:<id>`).
  const [actor, setActor] = useState('');
  const who = actor.trim();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [exporting, setExporting] = useState<number | null>(null);

  const load = useCallback(async () => {
    const page = await send('audit:list', {
      limit: 100,
      ...(targetType ? { targetType } : {}),
      ...(who ? { actor: who } : {}),
    });
    setEntries(page.entries);
    setNext(page.nextBeforeId);
  }, [targetType, who]);
  useEffect(() => {
    void load().catch(() => undefined);
    // A bulk decision appends hundreds of entries at once: reload once they have landed.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = api.on('audit:appended', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load().catch(() => undefined), 100);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [load]);

  const older = async () => {
    if (next === null) return;
    const page = await send('audit:list', {
      limit: 100,
      beforeId: next,
      ...(targetType ? { targetType } : {}),
      ...(who ? { actor: who } : {}),
    });
    setEntries([...(entries ?? []), ...page.entries]);
    setNext(page.nextBeforeId);
  };

  /** Pages through the whole log (500 at a time, progress shown), then downloads it with its verification. */
  const exportAll = async () => {
    const all: AuditEntry[] = [];
    let beforeId: number | undefined;
    setExporting(0);
    try {
      for (;;) {
        const page = await send('audit:list', { limit: 500, ...(beforeId ? { beforeId } : {}) });
        all.push(...page.entries);
        setExporting(all.length);
        if (page.nextBeforeId === null) break;
        beforeId = page.nextBeforeId;
      }
      const check = await send('audit:verify', {});
      const stamp = new Date().toISOString().slice(0, 10);
      downloadText(
        `flightdeck-audit-${stamp}.json`,
        JSON.stringify(
          { kind: 'flightdeck.audit', exportedAtMs: Date.now(), verify: check, entries: all.reverse() },
          null,
          2,
        ),
      );
    } finally {
      setExporting(null);
    }
  };

  return (
    <>
      <div className="toolbar">
        <select
          aria-label="Target"
          value={targetType}
          onChange={(e) => setTargetType(e.target.value as typeof targetType)}
        >
          {TARGETS.map((t) => (
            <option key={t} value={t}>
              {t || 'Everything'}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Who"
          placeholder="Who (user name)"
          maxLength={100}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          data-testid="audit-actor"
        />
        <button
          type="button"
          onClick={() =>
            void send('audit:verify', {})
              .then(setVerify)
              .catch(() => undefined)
          }
          data-testid="audit-verify"
        >
          Verify chain
        </button>
        <button
          type="button"
          disabled={exporting !== null}
          onClick={() => void exportAll().catch(() => undefined)}
          data-testid="audit-export"
        >
          {exporting === null ? 'Export JSON' : `Exporting… ${exporting} entries`}
        </button>
        {verify && (
          <span
            role={verify.ok ? 'status' : 'alert'}
            className={verify.ok ? '' : 'invalid'}
            data-testid="audit-verify-result"
          >
            {verify.ok ? '✓ ' : '⚠ Tampering detected: '}
            {verify.message}
          </span>
        )}
      </div>
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <EmptyState title="No audit entries">
          Every operator action and automatic decision will be recorded here.
        </EmptyState>
      ) : (
        <>
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Target</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} title={`hash ${e.hash}`}>
                  <td>{new Date(e.atMs).toLocaleString()}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td data-testid="audit-target">{targetText(e)}</td>
                  <td>{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next !== null && (
            <button type="button" onClick={() => void older().catch(() => undefined)}>
              Load older
            </button>
          )}
        </>
      )}
    </>
  );
}
