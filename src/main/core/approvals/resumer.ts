import type { CoreContext } from '../context';
import type { ApprovalRow } from './approval-rows';
import type { ApprovalPorts, ResumeBody } from './ports';

/** First retry delay after n8n could not take a decision, ms; doubles per attempt up to the cap. */
export const RESUME_RETRY_BASE_MS = 5_000;
export const RESUME_RETRY_MAX_MS = 15 * 60_000;

export interface ResumerOptions {
  /** Resumes in flight at once (n8n is the bottleneck; see N8N-TEST-INSTANCE.md). */
  concurrency?: number;
}

type Outcome = { state: 'resumed' | 'failed' | 'retry'; status: number | null; error: string | null };

/**
 * How an answer from n8n's resume URL ends a delivery. `closed`: n8n reports the execution no
 * longer waiting (looked up after a 2.x 401, or before posting). `stillRunning`: n8n says it is
 * running, not waiting yet.
 */
export function classifyResume(status: number, flags: { closed?: boolean; stillRunning?: boolean } = {}): Outcome {
  if (status >= 200 && status < 300) return { state: 'resumed', status, error: null };
  // A running execution has not saved its wait yet: a node registers its wait while its execution
  // runs, and a decision made at once would otherwise be taken as delivered and lost. (If an
  // earlier attempt did get through, the execution finishes and n8n's next 409 closes it.)
  if (flags.stillRunning) {
    return { state: 'retry', status, error: 'The execution is still running in n8n (not waiting yet); retrying.' };
  }
  // n8n answers 409 (1.x, and 2.x when signed) when the execution already resumed: our earlier
  // attempt got through. 2.x answers a finished execution 401 to an unsigned URL, and the port
  // then reports it closed: the same "already resumed or finished", never a second run.
  if (status === 409 || flags.closed) return { state: 'resumed', status, error: null };
  if (status === 408 || status === 429 || status >= 500) {
    return { state: 'retry', status, error: `n8n answered ${status}; retrying.` };
  }
  return {
    state: 'failed',
    status,
    error:
      status === 404
        ? 'n8n says this execution is not waiting at that resume URL (404): it may have been stopped or deleted in n8n.'
        : status === 401
          ? 'n8n 2.x refused the resume signature (401) although the execution still waits; decide in n8n directly.'
          : `n8n refused the resume with HTTP ${status}; decide in n8n directly.`,
  };
}

/**
 * Delivers wait decisions to n8n exactly once. The decision is committed first with
 * resume_state 'resuming' and the exact body; only then is n8n called, and only a definite
 * answer marks it 'resumed' (or 'failed'). A crash in between leaves it 'resuming', so the next
 * start sends it again — and n8n's 409 for an already-resumed execution closes it (on 2.x the
 * port signs the URL with the execution's resume token, and reports a closed execution as such).
 */
export function createResumer(ctx: CoreContext, ports: ApprovalPorts, options: ResumerOptions = {}) {
  const { db } = ctx.store;
  const concurrency = options.concurrency ?? 16;
  const inFlight = new Set<number>();
  const due = db.prepare(
    "SELECT * FROM approvals WHERE resume_state = 'resuming' AND resume_next_at_ms <= ? ORDER BY resume_next_at_ms, id LIMIT 500",
  );
  const finish = db.prepare(`UPDATE approvals SET resume_state = @state, resume_http_status = @status,
      resume_error = @error, resume_attempts = resume_attempts + 1, resume_next_at_ms = @next, updated_at_ms = @now
    WHERE id = @id AND resume_state = 'resuming'`);
  let draining: Promise<number> | null = null;
  let stopped = false;
  let rerun = false;
  /** The last round could not record its answers: the drain ends without looking again. */
  let backOff = false;

  async function deliver(row: ApprovalRow): Promise<void> {
    let outcome: Outcome;
    try {
      const { status, closed, stillRunning } = await ports.resumeExecution({
        instanceId: row.instance_id ?? '',
        resumeUrl: row.resume_url ?? '',
        body: JSON.parse(row.resume_body_json ?? '{}') as ResumeBody,
      });
      outcome = classifyResume(status, { closed, stillRunning });
    } catch (error) {
      outcome = { state: 'retry', status: null, error: `Could not reach n8n: ${(error as Error).message}` };
    }
    if (outcome.state !== 'resumed') ctx.logger.warn('Resume not delivered', { approvalId: row.id, ...outcome });
    await record(row, outcome);
  }

  /**
   * Answers arriving together are committed in one transaction (one fsync for many resumes
   * under load, an immediate write when idle). Until then the row stays 'resuming': a crash
   * means one more POST, which n8n answers with 409.
   */
  let answers: { row: ApprovalRow; outcome: Outcome }[] = [];
  let flushing: Promise<void> | null = null;
  /** Set when a batch could not be written; ends the drain round (see drainOnce). */
  let writeFailed = false;
  function record(row: ApprovalRow, outcome: Outcome): Promise<void> {
    answers.push({ row, outcome });
    flushing ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        const batch = answers;
        answers = [];
        flushing = null;
        try {
          // After stop the store may be closing; the rows stay 'resuming' and are retried at start.
          if (!stopped) commit(batch);
        } catch (error) {
          // A full disk, an I/O error, a read-only folder or a busy lock: this callback runs outside
          // any promise, so a throw here would end the process and leave the drain waiting forever.
          // The rows stay 'resuming' and are sent again (n8n answers 409 if the first one landed).
          writeFailed = true;
          ctx.logger.error('Could not record resume answers; they will be sent again', {
            approvalIds: batch.map((b) => b.row.id),
            error,
          });
        } finally {
          resolve();
        }
      }),
    );
    return flushing;
  }

  function commit(batch: { row: ApprovalRow; outcome: Outcome }[]): void {
    const now = ctx.clock.now();
    ctx.store.write((announce) => {
      for (const { row, outcome } of batch) {
        const delay = Math.min(RESUME_RETRY_BASE_MS * 2 ** row.resume_attempts, RESUME_RETRY_MAX_MS);
        finish.run({
          id: row.id,
          state: outcome.state === 'retry' ? 'resuming' : outcome.state,
          status: outcome.status,
          error: outcome.error,
          next: outcome.state === 'retry' ? now + delay : null,
          now,
        });
      }
      announce('approvals:changed', { ids: batch.map((b) => b.row.id) });
    });
  }

  /** Sends every owed resume that is due; resolves with how many were attempted. */
  async function drainOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const rows = (due.all(ctx.clock.now()) as ApprovalRow[]).filter((r) => !inFlight.has(r.id));
      if (rows.length === 0 || stopped) return attempted;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++] as ApprovalRow;
            inFlight.add(row.id);
            try {
              await deliver(row);
            } finally {
              inFlight.delete(row.id);
            }
          }
        }),
      );
      attempted += rows.length;
      // After a failed write the rows just sent are still due: looking again at once would resend
      // them in a tight loop while the store refuses writes. The next tick or decision retries.
      if (writeFailed) {
        writeFailed = false;
        backOff = true;
        return attempted;
      }
    }
  }

  /** Starts a drain unless one runs; callers may await the returned promise (tests, benches). */
  function drain(): Promise<number> {
    if (draining) {
      rerun = true; // a decision committed while draining: look again before finishing
      return draining;
    }
    draining = (async () => {
      let attempted = 0;
      backOff = false;
      do {
        rerun = false;
        attempted += await drainOnce();
      } while (rerun && !stopped && !backOff);
      return attempted;
    })().finally(() => {
      draining = null;
    });
    return draining;
  }

  return {
    drain,
    /** Fire and forget after a decision commits; failures stay durable and are retried. */
    kick(): void {
      void drain().catch((error: unknown) => ctx.logger.error('Resume drain failed', { error }));
    },
    /** Makes the next drain send owed resumes now instead of at their backoff time. */
    retryNow(): number {
      return ctx.store.write(
        () =>
          db.prepare("UPDATE approvals SET resume_next_at_ms = ? WHERE resume_state = 'resuming'").run(ctx.clock.now())
            .changes,
      );
    },
    /** Waits up to `graceMs` for resumes in flight; any still unanswered are sent again at the next start. */
    async stop(graceMs = 5_000): Promise<void> {
      stopped = true;
      if (!draining) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([draining, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}

export type Resumer = ReturnType<typeof createResumer>;
