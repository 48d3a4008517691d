import type { ExecutionStatus } from '../../../shared/contract';
import type { Tone } from '../../components/StatusPill';

/** A run's status in the operator's words, and what it means (the pill's colour). */
export const RUN_STATUS: Record<ExecutionStatus, { words: string; tone: Tone; title: string }> = {
  queued: { words: 'Queued', tone: 'neutral', title: 'Waiting in the queue to be sent to n8n' },
  awaiting_approval: { words: 'Awaiting approval', tone: 'warn', title: 'Held until someone approves it' },
  dispatching: { words: 'Sending', tone: 'info', title: 'Being sent to n8n' },
  running: { words: 'Running', tone: 'info', title: 'n8n is running it' },
  waiting: { words: 'Waiting in n8n', tone: 'info', title: 'Paused inside n8n (a Wait node or a form)' },
  retrying: { words: 'Retrying', tone: 'warn', title: 'Failed to send; another attempt is scheduled' },
  succeeded: { words: 'Succeeded', tone: 'ok', title: 'Finished without error' },
  failed: { words: 'Failed', tone: 'danger', title: 'The workflow ran and failed' },
  dead_lettered: { words: 'Gave up', tone: 'danger', title: 'Dead letter: every attempt to send it failed' },
  canceled: { words: 'Canceled', tone: 'neutral', title: 'Canceled before it finished' },
  rejected: { words: 'Rejected', tone: 'neutral', title: 'Rejected at approval' },
};
