import type { Approval, CallChannel, CallInput, CallOutput, Decision } from '../../shared/contract';
import type { Result } from '../../shared/result';
import type { Logger } from '../core/logger';
import type { TrayCounts } from './tray-state';

/** The part of the core the desktop shell calls: the same typed contract the windows use. */
export interface CoreCaller {
  call<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>>;
}

/** Where a decision came from, written into its comment (the audit log names the operator). */
export type DecisionSource = 'tray' | 'notification';

export interface Confirmation {
  title: string;
  message: string;
  detail: string;
  /** The confirming button: `Approve`, `Reject`. */
  confirmLabel: string;
}

/** How the shell asks and tells (native dialogs in the app; recorded in tests). */
export interface OperatorDialogs {
  /** Resolves true to go ahead. */
  confirm(question: Confirmation): Promise<boolean>;
  /** A failure the operator must hear about (the action did not happen). */
  report(message: string): void;
}

/**
 * A rejection needs a reason in the console; from the tray or a notification there is no place to
 * type one, so the comment says where the decision was taken (the audit log records who).
 */
const COMMENTS: Record<DecisionSource, Record<Decision, string>> = {
  tray: { approve: 'Approved from the tray menu.', reject: 'Rejected from the tray menu (no reason typed).' },
  notification: {
    approve: 'Approved from a desktop notification.',
    reject: 'Rejected from a desktop notification (no reason typed).',
  },
};

const VERB: Record<Decision, { label: string; past: string }> = {
  approve: { label: 'Approve', past: 'Approved' },
  reject: { label: 'Reject', past: 'Rejected' },
};

/** How long ago, in words: `4 min`, `2 h`, `3 days`. */
export function waitedFor(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/**
 * What the tray and notifications do to the core: counts for the tray, decisions on approvals,
 * dispatch paused and resumed on every instance. Everything goes through the contract, so the
 * same validation, audit entries and events follow as from a window.
 */
export class DesktopActions {
  constructor(
    private readonly core: CoreCaller,
    private readonly dialogs: OperatorDialogs,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Everything the tray counts, or throws the first refusal (the store did not open…). */
  async counts(): Promise<TrayCounts> {
    const [approvals, alertCounts, open, queue, instances] = await Promise.all([
      this.must(this.core.call('approvals:count', {})),
      this.must(this.core.call('alerts:counts', {})),
      this.must(this.core.call('alerts:list', { state: 'open', limit: 500 })),
      this.must(this.core.call('queue:stats', {})),
      this.must(this.core.call('instances:list', {})),
    ]);
    const ids = new Set(instances.instances.map((i) => i.id));
    // A silence ending brings its alert back into the count without an event: note when.
    const silenceEnds = open.alerts.flatMap((a) => (a.silencedUntilMs === null ? [] : [a.silencedUntilMs]));
    return {
      pending: approvals.pending,
      high: approvals.high,
      alerts: alertCounts.unacknowledged,
      recountInMs: silenceEnds.length ? Math.max(0, Math.min(...silenceEnds) - this.now()) : null,
      instances: ids.size,
      pausedInstances: queue.pausedInstances.filter((id) => ids.has(id)).length,
    };
  }

  /** The pending approval that has waited longest (ties: the lower id). */
  async oldestPending(): Promise<Approval | null> {
    const { items } = await this.must(this.core.call('approvals:list', { filter: { status: 'open' }, limit: 5_000 }));
    let oldest: Approval | null = null;
    for (const item of items) {
      if (
        !oldest ||
        item.createdAtMs < oldest.createdAtMs ||
        (item.createdAtMs === oldest.createdAtMs && item.id < oldest.id)
      )
        oldest = item;
    }
    return oldest;
  }

  /**
   * Approves or rejects the oldest pending item after asking, naming the item in the question.
   * The item confirmed is the item decided: if someone decided it meanwhile, the core answers
   * CONFLICT and the operator is told; nothing else is decided in its place.
   */
  async decideOldest(decision: Decision, source: DecisionSource = 'tray'): Promise<'decided' | 'cancelled' | 'none'> {
    let item: Approval | null;
    try {
      item = await this.oldestPending();
    } catch (error) {
      this.dialogs.report(`Could not read the approvals inbox: ${messageOf(error)}`);
      return 'none';
    }
    if (!item) {
      this.dialogs.report('Nothing is waiting for a decision.');
      return 'none';
    }
    const verb = VERB[decision];
    const go = await this.dialogs.confirm({
      title: `${verb.label} the oldest approval?`,
      message: `${verb.label} "${item.summary}"?`,
      detail: [
        `Waiting ${waitedFor(this.now() - item.createdAtMs)}, priority ${item.priority}, ${item.kind === 'gate' ? 'a run held before dispatch' : 'an n8n execution waiting'}.`,
        decision === 'reject' ? 'The comment will say it was rejected from the tray, without a reason.' : '',
      ]
        .filter(Boolean)
        .join('\n'),
      confirmLabel: verb.label,
    });
    if (!go) return 'cancelled';
    return (await this.decide(item.id, decision, source, item.summary)) ? 'decided' : 'none';
  }

  /** Decides one item; a refusal (decided meanwhile, gone) is reported, never thrown. */
  async decide(id: number, decision: Decision, source: DecisionSource, summary?: string): Promise<boolean> {
    const result = await this.core.call('approvals:decide', { id, decision, comment: COMMENTS[source][decision] });
    const name = summary ? `"${summary}"` : `approval ${id}`;
    if (result.ok) {
      this.logger.info(`${VERB[decision].past} from the desktop`, { id, source });
      return true;
    }
    this.dialogs.report(`Could not ${decision} ${name}: ${result.error.message}`);
    return false;
  }

  /** Holds queued runs on every instance that is not paused yet (running ones finish). */
  async pauseDispatch(): Promise<void> {
    await this.eachInstance('pause', 'Paused from the tray menu.');
  }

  /** Releases every paused instance. */
  async resumeDispatch(): Promise<void> {
    await this.eachInstance('resume', 'Resumed from the tray menu.');
  }

  private async eachInstance(what: 'pause' | 'resume', reason: string): Promise<void> {
    let targets: string[];
    try {
      const [queue, instances] = await Promise.all([
        this.must(this.core.call('queue:stats', {})),
        this.must(this.core.call('instances:list', {})),
      ]);
      const paused = new Set(queue.pausedInstances);
      targets = instances.instances.map((i) => i.id).filter((id) => paused.has(id) === (what === 'resume'));
    } catch (error) {
      this.dialogs.report(`Could not ${what} dispatch: ${messageOf(error)}`);
      return;
    }
    const failures: string[] = [];
    for (const instanceId of targets) {
      const result = await this.core.call(what === 'pause' ? 'queue:pause' : 'queue:resume', { instanceId, reason });
      if (!result.ok) failures.push(`${instanceId}: ${result.error.message}`);
    }
    if (failures.length) this.dialogs.report(`Could not ${what} dispatch on ${failures.join('; ')}`);
  }

  private async must<T>(pending: Promise<Result<T>>): Promise<T> {
    const result = await pending;
    if (!result.ok) throw new Error(result.error.message);
    return result.data;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
