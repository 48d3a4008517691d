import { defineKit } from '../kit';
import { connect, node, setFields, webhookTrigger } from './nodes';

/**
 * The approval asked from inside n8n by the community node (n8n-nodes-flightdeck): the workflow
 * waits on Request Approval, the console's inbox decides, n8n continues. One output and an If,
 * so it runs on n8n 1.x as on 2.x.
 */
export const flightdeckApproval = defineKit({
  id: 'flightdeck-approval',
  name: 'Approval by the Flightdeck node',
  description:
    'An n8n workflow that asks for approval itself with the Flightdeck node’s Request Approval: the execution waits in n8n, the decision comes from the console’s inbox, and it continues on the approved or rejected branch.',
  creates: [
    'an n8n workflow: Webhook → Request Approval (n8n-nodes-flightdeck) → If → approved / rejected',
    'a mapping that starts it',
  ],
  fields: [
    {
      key: 'event',
      label: 'Event name',
      kind: 'event',
      default: 'purchase.requested',
      help: 'The event that starts the workflow.',
    },
    {
      key: 'webhookPath',
      label: 'Webhook path',
      kind: 'webhookPath',
      default: 'flightdeck/purchase-approval',
      help: 'The path the workflow listens on: POST <instance>/webhook/<path>.',
    },
  ],
  needsPackage: 'n8n-nodes-flightdeck',
  activateByDefault: true,
  workflow: {
    name: 'Approval by Flightdeck: <<event>>',
    nodes: [
      webhookTrigger('Purchase requested'),
      node(
        'Request Approval',
        'n8n-nodes-flightdeck.flightdeckApproval',
        1,
        [240, 0],
        {
          title: '=Purchase {{ $json.body.item }} for {{ $json.body.amount }}',
          summary: '=Requested by {{ $json.body.requestedBy }}',
          fields: {
            field: [
              { name: 'item', value: '={{ $json.body.item }}' },
              { name: 'amount', value: '={{ $json.body.amount }}' },
            ],
          },
          priority: 3,
          expireAfter: 24,
          expireUnit: 'hours',
          onExpiry: 'reject',
          decisionOutputs: 'oneOutput',
          options: {},
        },
        true,
      ),
      node('Approved?', 'n8n-nodes-base.if', 2, [480, 0], {
        conditions: {
          options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
          conditions: [
            {
              id: 'approved',
              leftValue: '={{ $json.approved }}',
              rightValue: '',
              operator: { type: 'boolean', operation: 'true', singleValue: true },
            },
          ],
          combinator: 'and',
        },
        options: {},
      }),
      setFields('Approved', [720, -100], { decidedBy: '={{ $json.decidedBy }}' }),
      setFields('Rejected', [720, 100], { decidedBy: '={{ $json.decidedBy }}', reason: '={{ $json.comment }}' }),
    ],
    connections: connect([
      ['Purchase requested', 'Request Approval'],
      ['Request Approval', 'Approved?'],
      ['Approved?', 'Approved', 0],
      ['Approved?', 'Rejected', 1],
    ]),
    settings: { executionOrder: 'v1' },
  },
  mapping: {
    event: '<<event>>',
    name: 'Flightdeck node approval <<event>>',
    webhookPath: '<<webhookPath>>',
  },
  schedule: null,
  nextSteps: [
    'In n8n, open the workflow and choose your Flightdeck API credential on Request Approval (the console’s address and ingest secret: see the n8n node guide).',
    'Emit <<event>> with {"item":"…","amount":…,"requestedBy":"…"}: the request waits in Approvals until someone decides.',
  ],
});
