import { useEffect, useState } from 'react';
import {
  instanceFieldsSchema,
  apiKeySchema,
  baseUrlSchema,
  type ConnectionTest,
  type Instance,
} from '../../../shared/contract';
import { send, sendCatch } from '../../api/client';

const COLORS = ['#2f6fed', '#2e7d32', '#b26a00', '#c62828', '#7b1fa2', '#00838f'];

/** Add or edit an instance. The key field is write-only: an edit leaves it empty to keep the stored key. */
export function InstanceForm({ instance, onDone }: { instance?: Instance; onDone: () => void }) {
  const [name, setName] = useState(instance?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(instance?.baseUrl ?? 'http://127.0.0.1:5678');
  const [apiKey, setApiKey] = useState('');
  const [environment, setEnvironment] = useState(instance?.environment ?? 'dev');
  const [color, setColor] = useState(instance?.color ?? COLORS[0]!);
  const [syncEnabled, setSyncEnabled] = useState(instance?.syncEnabled ?? true);
  const [publicWebhookUrl, setPublicWebhookUrl] = useState(instance?.publicWebhookUrl ?? '');
  const [waitsEnabled, setWaitsEnabled] = useState(instance?.waitInbox.enabled ?? false);
  const [waitWorkflows, setWaitWorkflows] = useState<string[]>(instance?.waitInbox.workflowIds ?? []);
  const [workflows, setWorkflows] = useState<{ id: string; name: string }[]>([]);
  const [test, setTest] = useState<ConnectionTest | 'running' | null>(null);
  const [saving, setSaving] = useState(false);

  const fields = instanceFieldsSchema.safeParse({ name, baseUrl, environment, color, syncEnabled });
  const key = apiKeySchema.safeParse(apiKey);
  const keyOk = instance && apiKey === '' ? true : key.success;
  const fieldError = (field: string) =>
    fields.success ? undefined : fields.error.issues.find((i) => i.path[0] === field)?.message;
  const publicUrl = publicWebhookUrl.trim() === '' ? null : baseUrlSchema.safeParse(publicWebhookUrl);
  const options = {
    publicWebhookUrl: publicUrl?.success ? publicUrl.data : null,
    waitInbox: { enabled: waitsEnabled, workflowIds: waitsEnabled ? waitWorkflows : [] },
  };
  const canSave = fields.success && keyOk && (publicUrl === null || publicUrl.success) && !saving;

  // The per-workflow filter lists the instance's synced workflows (a new instance has none yet).
  useEffect(() => {
    if (!instance || !waitsEnabled) return;
    void sendCatch('workflows:list', { instanceId: instance.id }).then(
      (r) => r.ok && setWorkflows(r.data.workflows.map((w) => ({ id: w.id, name: w.name }))),
    );
  }, [instance, waitsEnabled]);
  const toggleWorkflow = (id: string) =>
    setWaitWorkflows((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));

  const runTest = async () => {
    setTest('running');
    const input = apiKey === '' && instance ? { id: instance.id } : { baseUrl, apiKey };
    const result = await sendCatch('instances:test', input);
    setTest(
      result.ok
        ? result.data
        : {
            ok: false,
            healthy: false,
            authenticated: null,
            version: null,
            latencyMs: null,
            code: result.error.code,
            message: result.error.message,
          },
    );
  };

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!fields.success || !canSave) return;
    setSaving(true);
    try {
      if (instance) {
        await send('instances:update', {
          id: instance.id,
          patch: { ...fields.data, ...options, ...(apiKey ? { apiKey } : {}) },
        });
      } else {
        await send('instances:add', { ...fields.data, ...options, apiKey });
      }
      onDone();
    } catch {
      // Shown in the error tray by send().
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="form instance-form" onSubmit={(e) => void save(e)} data-testid="instance-form">
      <label className="field">
        <span>Name</span>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="instance-name"
          aria-invalid={Boolean(name && fieldError('name'))}
        />
      </label>
      <label className="field">
        <span>Address of n8n</span>
        <input
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          data-testid="instance-url"
          aria-invalid={Boolean(fieldError('baseUrl'))}
        />
        {fieldError('baseUrl') && <small className="invalid">{fieldError('baseUrl')}</small>}
      </label>
      <label className="field">
        <span>
          API key{' '}
          {instance && (
            <small className="muted">(stored, ends in …{instance.apiKeyLast4}; leave empty to keep it)</small>
          )}
        </span>
        <input
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          data-testid="instance-key"
          aria-invalid={apiKey !== '' && !key.success}
        />
        {apiKey !== '' && !key.success && <small className="invalid">{key.error.issues[0]?.message}</small>}
        <small className="muted">
          In n8n: Settings → n8n API → Create an API key. It is encrypted here and never shown again.
        </small>
      </label>
      <label className="field">
        <span>Environment</span>
        <input
          value={environment}
          onChange={(e) => setEnvironment(e.target.value)}
          list="environments"
          data-testid="instance-env"
        />
        <datalist id="environments">
          <option value="dev" />
          <option value="staging" />
          <option value="prod" />
        </datalist>
      </label>
      <fieldset className="field">
        <legend>Colour</legend>
        <div className="swatches">
          {COLORS.map((c) => (
            <button
              key={c}
              type="button"
              className="swatch"
              style={{ background: c }}
              aria-pressed={color === c}
              aria-label={c}
              onClick={() => setColor(c)}
            />
          ))}
        </div>
      </fieldset>
      <label className="radio">
        <input
          type="checkbox"
          checked={syncEnabled}
          onChange={(e) => setSyncEnabled(e.target.checked)}
          data-testid="instance-sync-enabled"
        />
        Sync in the background
      </label>
      <label className="field">
        <span>
          n8n&apos;s public webhook URL <small className="muted">(optional)</small>
        </span>
        <input
          value={publicWebhookUrl}
          onChange={(e) => setPublicWebhookUrl(e.target.value)}
          placeholder="https://n8n.example.com"
          data-testid="instance-public-webhook-url"
          aria-invalid={publicUrl !== null && !publicUrl.success}
        />
        {publicUrl !== null && !publicUrl.success && (
          <small className="invalid">{publicUrl.error.issues[0]?.message}</small>
        )}
        <small className="muted">
          n8n&apos;s WEBHOOK_URL, when it is not the address above: wait registrations whose resume URL is on it are
          accepted. localhost and 127.0.0.1 already count as one.
        </small>
      </label>
      <label className="radio">
        <input
          type="checkbox"
          checked={waitsEnabled}
          onChange={(e) => setWaitsEnabled(e.target.checked)}
          data-testid="instance-wait-inbox"
        />
        Show waits started in n8n in the approval inbox
      </label>
      {waitsEnabled && (
        <fieldset className="field" data-testid="instance-wait-workflows">
          <legend className="small">
            Executions started directly in n8n that wait on a Wait node resumed by a POST webhook call (timed waits
            never). Workflows: {waitWorkflows.length === 0 ? 'all' : `${waitWorkflows.length} chosen`}
          </legend>
          {workflows.length === 0 ? (
            <small className="muted">Every workflow (pick some once the instance has synced).</small>
          ) : (
            workflows.map((w) => (
              <label key={w.id} className="radio small">
                <input type="checkbox" checked={waitWorkflows.includes(w.id)} onChange={() => toggleWorkflow(w.id)} />
                {w.name}
              </label>
            ))
          )}
        </fieldset>
      )}
      {test && (
        <p
          className={test === 'running' ? 'muted' : test.ok ? 'ok-text' : 'invalid'}
          role="status"
          data-testid="instance-test-result"
        >
          {test === 'running' ? 'Testing…' : test.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!canSave} data-testid="instance-save">
          {saving ? 'Saving…' : instance ? 'Save' : 'Add instance'}
        </button>
        <button
          type="button"
          onClick={() => void runTest()}
          disabled={!fields.success || !keyOk || (!instance && !key.success) || test === 'running'}
          data-testid="instance-test"
        >
          Test connection
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
