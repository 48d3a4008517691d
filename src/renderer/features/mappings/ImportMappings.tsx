import { useRef, useState } from 'react';
import { send, sendCatch } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { readJsonFile } from '../../files';
import { CanButton } from '../../components/Guarded';

/** Import from a file: validate and show what would change (dry run), then apply on confirm. */
export function ImportMappings() {
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<{
    document: unknown;
    summary: { added: number; updated: number; unchanged: number };
  } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const pick = async (file: File | undefined) => {
    if (!file) return;
    setProblem(null);
    try {
      const document = await readJsonFile(file);
      const result = await sendCatch('mappings:import', { document, dryRun: true });
      if (result.ok) setPending({ document, summary: result.data });
      else setProblem(result.error.message);
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      if (input.current) input.current.value = '';
    }
  };

  return (
    <>
      <CanButton channel="mappings:import" onClick={() => input.current?.click()} data-testid="m-import">
        Import…
      </CanButton>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        onChange={(e) => void pick(e.target.files?.[0])}
        data-testid="m-import-file"
      />
      {problem && (
        <span className="invalid" role="alert" data-testid="m-import-problem">
          Import refused, nothing changed: {problem}
        </span>
      )}
      {pending && (
        <ConfirmDialog
          title="Import mappings?"
          confirmLabel="Import"
          onCancel={() => setPending(null)}
          onConfirm={() => {
            void send('mappings:import', { document: pending.document, dryRun: false }).finally(() => setPending(null));
          }}
        >
          {pending.summary.added} new, {pending.summary.updated} changed, {pending.summary.unchanged} unchanged.
        </ConfirmDialog>
      )}
    </>
  );
}
