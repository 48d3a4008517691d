import { useState } from 'react';
import type { Snapshot, WorkflowVersionKind } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { Picker } from '../../components/Picker';
import { instanceChoices, namer, usePickerOptions } from '../../components/picker-options';
import { shownAsToast, useCall } from '../../data/calls';
import { PreflightView } from '../drafts/PreflightView';
import styles from './SnapshotsPanel.module.css';

/** An instance by its name, the id on hover ("removed instance" once it is gone). */
function InstanceName(props: { id: string; name: string }) {
  return (
    <span title={props.id} data-testid="b-snapshot-instance-name">
      {props.name}
    </span>
  );
}

/** n8n-side backups: pull an instance's workflows, tags and variables; restore them into any instance. */
export function SnapshotsPanel() {
  // Kept fresh by backups:changed.
  const query = useCall('backups:snapshots', {});
  const snapshots = query.data ?? null;
  const [chosenInstance, setInstanceId] = useState('');
  const [label, setLabel] = useState('');
  const [taking, setTaking] = useState(false);
  const [restoring, setRestoring] = useState<{ snapshot: Snapshot; target: string } | null>(null);
  const [outcome, setOutcome] = useState<{ target: string; text: string } | null>(null);
  const [chosenTarget, setTarget] = useState('');
  const { options } = usePickerOptions();
  const instances = instanceChoices(options);
  const names = namer(options);
  // Until the instances load, a name is not known yet; that is not "removed".
  const nameOf = (id: string) => (options === null ? '…' : names.instance(id));
  // A chosen instance removed meanwhile (another window, a restore) is no longer chosen.
  const stillThere = (id: string) => (instances.some((i) => i.value === id) ? id : '');
  const instanceId = stillThere(chosenInstance);
  const target = stillThere(chosenTarget);
  // Which of each workflow's versions a restore writes (n8n 2.x may hold a newer unpublished draft).
  const [version, setVersion] = useState<WorkflowVersionKind>('draft');
  // The dry run for the restore being confirmed: node types the target may not run. A failure
  // (the target unreachable) shows in the dialog with a Retry; the restore itself stays possible.
  const preflight = useCall(
    'drafts:preflight',
    { snapshotId: restoring?.snapshot.id ?? 0, targetInstanceId: restoring?.target ?? '', version },
    { enabled: restoring !== null, staleTime: 0 },
  );

  const take = async () => {
    setTaking(true);
    try {
      await send('backups:snapshotTake', { instanceId, label });
      setLabel('');
    } finally {
      setTaking(false);
    }
  };

  const restore = async (snapshot: Snapshot, target: string) => {
    setRestoring(null);
    const r = await send('backups:snapshotRestore', { snapshotId: snapshot.id, targetInstanceId: target, version });
    setOutcome({
      target,
      text: `${r.created} created, ${r.updated} updated, ${r.tagsCreated} tags and ${r.variablesCreated} variables created. ${r.warnings.join(' ')}`,
    });
  };

  return (
    <fieldset className="editor" data-testid="b-snapshots">
      <legend>n8n snapshots (workflows, tags, variables)</legend>
      <div className={`row ${styles.controls}`}>
        <Picker
          label="Instance to snapshot"
          value={instanceId || null}
          options={instances}
          placeholder="Choose an instance…"
          emptyText="No instance matches: add one under Instances"
          onChange={(v) => setInstanceId(v ?? '')}
          testId="b-snapshot-instance"
        />
        <input
          placeholder="Label (optional)"
          aria-label="Snapshot label (optional)"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
        <CanButton
          channel="backups:snapshotTake"
          type="button"
          disabled={taking || !instanceId}
          onClick={() => void take().catch(shownAsToast)}
          data-testid="b-snapshot-take"
        >
          {taking ? 'Pulling…' : 'Take snapshot'}
        </CanButton>
      </div>
      {outcome && (
        <p data-testid="b-snapshot-outcome">
          Into <InstanceName id={outcome.target} name={nameOf(outcome.target)} />: {outcome.text}
        </p>
      )}
      {query.isError ? (
        <LoadError what="the snapshots" error={query.error} retry={() => void query.refetch()} />
      ) : snapshots === null ? (
        <p className="muted">Loading…</p>
      ) : snapshots.length === 0 ? (
        <p className="muted" data-testid="b-snapshots-empty">
          No snapshots yet. Take one before an upgrade, or to copy an instance&apos;s workflows into another.
        </p>
      ) : (
        <>
          <div className={styles.target}>
            <Picker
              label="Restore target instance"
              value={target || null}
              options={instances}
              placeholder="Choose where to restore…"
              emptyText="No instance matches: add one under Instances"
              onChange={(v) => setTarget(v ?? '')}
              testId="b-snapshot-target"
            />
          </div>
          <table className="table">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Version</th>
                <th>Label</th>
                <th>Taken</th>
                <th>Workflows / tags / variables</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {snapshots.map((s) => (
                <tr key={s.id}>
                  <td>
                    <InstanceName id={s.instanceId} name={nameOf(s.instanceId)} />
                  </td>
                  <td>v{s.version}</td>
                  <td>{s.label}</td>
                  <td>{new Date(s.takenAtMs).toLocaleString()}</td>
                  <td>
                    {s.workflowCount} / {s.tagCount} / {s.variableCount}
                  </td>
                  <td>
                    <CanButton
                      channel="backups:snapshotRestore"
                      type="button"
                      disabled={!target}
                      title={
                        target
                          ? `Restore into ${nameOf(target)} (${target})`
                          : 'Choose the target instance above the list first'
                      }
                      onClick={() => setRestoring({ snapshot: s, target })}
                    >
                      Restore into {target ? nameOf(target) : '…'}
                    </CanButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {restoring && (
        <ConfirmDialog
          title={`Restore into ${nameOf(restoring.target)}?`}
          confirmLabel="Restore"
          danger
          onCancel={() => setRestoring(null)}
          onConfirm={() => void restore(restoring.snapshot, restoring.target).catch(shownAsToast)}
        >
          Workflows with the same name in <InstanceName id={restoring.target} name={nameOf(restoring.target)} /> are
          overwritten with the snapshot&apos;s version; the others are created (inactive). Missing tags and variables
          are created.
          <label className="row">
            Restore each workflow&apos;s
            <select
              value={version}
              onChange={(e) => setVersion(e.target.value as WorkflowVersionKind)}
              data-testid="b-snapshot-version"
            >
              <option value="draft">saved version</option>
              <option value="published">published (live) version, where one was live</option>
            </select>
          </label>
          {preflight.isError ? (
            <LoadError
              what={`the node types of ${nameOf(restoring.target)}`}
              error={preflight.error}
              retry={() => void preflight.refetch()}
            />
          ) : preflight.data ? (
            <PreflightView report={preflight.data} testId="b-snapshot-preflight" />
          ) : (
            <p className="muted">
              Checking node types against <InstanceName id={restoring.target} name={nameOf(restoring.target)} />…
            </p>
          )}
        </ConfirmDialog>
      )}
    </fieldset>
  );
}
