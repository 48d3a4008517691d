import { defineKit } from '../kit';
import { connect, setFields, webhookTrigger } from './nodes';

/** The console holds every run of the event in the approval inbox; the workflow runs once approved. */
export const approvalGatedWebhook = defineKit({
  id: 'approval-gated-webhook',
  name: 'Approval-gated webhook',
  description:
    'Every event waits in the Approvals inbox until a person (or an auto-approval rule) decides; approved runs reach a webhook workflow in n8n, rejected ones never do.',
  creates: [
    'an n8n workflow with a Webhook trigger',
    'a mapping with an approval gate (undecided after a day: rejected)',
  ],
  fields: [
    {
      key: 'event',
      label: 'Event name',
      kind: 'event',
      default: 'refund.requested',
      help: 'The event your systems emit.',
    },
    {
      key: 'webhookPath',
      label: 'Webhook path',
      kind: 'webhookPath',
      default: 'flightdeck/refund-approved',
      help: 'The path the workflow listens on: POST <instance>/webhook/<path>.',
    },
    {
      key: 'title',
      label: 'Inbox title',
      kind: 'text',
      default: 'Refund {{orderId}} · {{amount}} {{currency}}',
      help: 'What the inbox shows; {{field}} reads a field of the event.',
    },
  ],
  needsPackage: null,
  activateByDefault: true,
  workflow: {
    name: 'Approved: <<event>>',
    nodes: [
      webhookTrigger('Approved event'),
      setFields('Your steps go here', [240, 0], {
        event: '={{ $json.headers["x-flightdeck-event"] }}',
        run: '={{ $json.headers["x-flightdeck-execution-id"] }}',
      }),
    ],
    connections: connect([['Approved event', 'Your steps go here']]),
    settings: { executionOrder: 'v1' },
  },
  mapping: {
    event: '<<event>>',
    name: 'Approval-gated <<event>>',
    webhookPath: '<<webhookPath>>',
    requiresApproval: true,
    approvalTitle: '<<title>>',
    approvalExpiry: { afterMs: 86_400_000, action: 'reject' },
  },
  schedule: null,
  nextSteps: [
    'Emit <<event>> (flightdeck emit, the signed door or a schedule): each one waits in Approvals.',
    'Replace "Your steps go here" in n8n with what an approved event should do.',
  ],
});
