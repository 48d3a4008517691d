import { formatLocalRuns } from '../../../shared/run-identity';
import { useState } from 'react';
import type { MappingFields } from '../../../shared/contract';
import { sendCatch } from '../../api/client';
import { CanButton } from '../../components/Guarded';

type Preview = Extract<Awaited<ReturnType<typeof sendCatch<'mappings:preview'>>>, { ok: true }>['data'];

/** Try a sample payload: which conditions pass and the exact request that would be sent. */
export function RequestPreviewPanel({ mapping, saved }: { mapping: MappingFields | null; saved: boolean }) {
  const [sample, setSample] = useState('{\n  "amount": 42\n}');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [fired, setFired] = useState<string | null>(null);

  const fire = async () => {
    setFired(null);
    let payload: unknown;
    try {
      payload = JSON.parse(sample);
    } catch {
      return setProblem('The sample payload is not valid JSON.');
    }
    if (!mapping) return;
    const result = await sendCatch('ingest:emit', { event: mapping.event, payload });
    if (!result.ok) return setProblem(result.error.message);
    setProblem(null);
    setFired(
      result.data.executionIds.length === 0
        ? 'Sent, but no mapping dispatched it: its conditions did not hold.'
        : `Queued as ${formatLocalRuns(result.data.executionIds)}: follow it under Executions.`,
    );
  };

  const run = async () => {
    setPreview(null);
    let payload: unknown;
    try {
      payload = JSON.parse(sample);
    } catch {
      return setProblem('The sample payload is not valid JSON.');
    }
    if (!mapping) return setProblem('Fix the fields marked in red first.');
    const result = await sendCatch('mappings:preview', { mapping, payload });
    if (result.ok) {
      setProblem(null);
      setPreview(result.data);
    } else setProblem(result.error.message);
  };

  return (
    <fieldset>
      <legend>Preview with a sample payload</legend>
      <textarea
        aria-label="Sample payload (JSON)"
        rows={5}
        value={sample}
        onChange={(e) => setSample(e.target.value)}
        data-testid="m-sample"
      />
      <div className="actions">
        <button type="button" onClick={() => void run()} data-testid="m-preview">
          Preview request
        </button>
        {saved && (
          <CanButton
            channel="ingest:emit"
            onClick={() => void fire()}
            data-testid="m-fire"
            title="Emit this event for real, with the sample payload"
          >
            Test fire
          </CanButton>
        )}
      </div>
      {problem && <p className="invalid">{problem}</p>}
      {fired && (
        <p role="status" data-testid="m-fired">
          {fired}
        </p>
      )}
      {preview && (
        <div data-testid="m-preview-result">
          <p>
            {preview.matches
              ? 'This payload would be dispatched.'
              : 'This payload would be skipped: a condition does not hold.'}
          </p>
          <ul>
            {preview.conditionResults.map((c) => (
              <li key={c.condition}>
                {c.passed ? '✓' : '✗'} <code>{c.condition}</code>
              </li>
            ))}
          </ul>
          {/* Built by the dispatcher's own function: these are the bytes n8n receives. */}
          <pre className="code" data-testid="m-preview-request">
            {`${preview.request.method} ${preview.request.url}\n`}
            {Object.entries(preview.request.headers).map(([k, v]) => `${k}: ${v}\n`)}
            {'\n' + (preview.request.bodyText ?? JSON.stringify(preview.request.body))}
          </pre>
        </div>
      )}
    </fieldset>
  );
}
