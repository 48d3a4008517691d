import { defineKit } from '../kit';
import { connect, setFields, webhookTrigger } from './nodes';

/** A console schedule emits the event; its mapping runs the report workflow (queued, retried, in the ledger). */
export const scheduledReport = defineKit({
  id: 'scheduled-report',
  name: 'Scheduled report',
  description:
    'A console schedule emits the report event on a cron; the mapping queues one run at a time to a report workflow in n8n, with every tick in the schedule’s ledger.',
  creates: ['an n8n workflow with a Webhook trigger', 'a mapping (one run at a time)', 'a schedule (cron)'],
  fields: [
    {
      key: 'event',
      label: 'Event name',
      kind: 'event',
      default: 'report.daily',
      help: 'The event the schedule emits.',
    },
    {
      key: 'webhookPath',
      label: 'Webhook path',
      kind: 'webhookPath',
      default: 'flightdeck/daily-report',
      help: 'The path the workflow listens on: POST <instance>/webhook/<path>.',
    },
    {
      key: 'cron',
      label: 'Cron expression',
      kind: 'cron',
      default: '0 8 * * 1-5',
      help: 'When the report runs: minute hour day month weekday (the default: 8:00 on weekdays).',
    },
    { key: 'timeZone', label: 'Time zone', kind: 'timeZone', default: 'UTC', help: 'The zone the cron is read in.' },
  ],
  needsPackage: null,
  activateByDefault: true,
  workflow: {
    name: 'Report: <<event>>',
    nodes: [
      webhookTrigger('Report requested'),
      setFields('Build the report', [240, 0], {
        report: '={{ $json.body.report }}',
        builtAt: '={{ $now.toISO() }}',
      }),
    ],
    connections: connect([['Report requested', 'Build the report']]),
    settings: { executionOrder: 'v1' },
  },
  mapping: {
    event: '<<event>>',
    name: 'Scheduled <<event>>',
    webhookPath: '<<webhookPath>>',
    concurrency: 1,
  },
  schedule: {
    name: 'Report <<event>>',
    event: '<<event>>',
    payload: { report: '<<event>>' },
    timing: { kind: 'cron', expression: '<<cron>>', timeZone: '<<timeZone>>' },
    overlap: 'skip',
    misfire: { policy: 'run_once', maxRuns: 10, windowMs: 86_400_000 },
  },
  nextSteps: [
    'Replace "Build the report" in n8n with the report itself (query, format, send).',
    'Schedules → the new schedule shows its next ticks; Run now tries it at once.',
  ],
});
