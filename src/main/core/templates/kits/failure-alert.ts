import { defineKit } from '../kit';
import { connect, node, webhookTrigger } from './nodes';

/** Failures reported to the console, and n8n's own failed executions, posted to one alert webhook. */
export const failureAlert = defineKit({
  id: 'failure-alert',
  name: 'Failure alert to a webhook',
  description:
    'Posts a failure alert to a webhook of yours (chat, pager, ticketing): events emitted to the console, and n8n workflows that name this one as their error workflow.',
  creates: ['an n8n workflow: Webhook and Error Trigger → HTTP Request', 'a mapping with five delivery attempts'],
  fields: [
    {
      key: 'event',
      label: 'Event name',
      kind: 'event',
      default: 'failure.alert',
      help: 'The event that raises an alert.',
    },
    {
      key: 'webhookPath',
      label: 'Webhook path',
      kind: 'webhookPath',
      default: 'flightdeck/failure-alert',
      help: 'The path the workflow listens on: POST <instance>/webhook/<path>.',
    },
    {
      key: 'alertUrl',
      label: 'Alert webhook URL',
      kind: 'url',
      default: 'https://hooks.example.com/flightdeck-alerts',
      help: 'Where n8n posts each alert (a chat or pager webhook).',
    },
  ],
  needsPackage: null,
  activateByDefault: true,
  workflow: {
    name: 'Failure alert: <<event>>',
    nodes: [
      webhookTrigger('Failure reported', [0, -100]),
      node('n8n workflow failed', 'n8n-nodes-base.errorTrigger', 1, [0, 100], {}),
      node('Send alert', 'n8n-nodes-base.httpRequest', 4.2, [260, 0], {
        method: 'POST',
        url: '<<alertUrl>>',
        sendBody: true,
        specifyBody: 'json',
        jsonBody:
          '={{ JSON.stringify($json.body ? { source: "flightdeck", event: $json.headers["x-flightdeck-event"], alert: $json.body } : { source: "n8n", workflow: $json.workflow?.name, error: $json.execution?.error?.message, url: $json.execution?.url }) }}',
        options: {},
      }),
    ],
    connections: connect([
      ['Failure reported', 'Send alert'],
      ['n8n workflow failed', 'Send alert'],
    ]),
    settings: { executionOrder: 'v1' },
  },
  mapping: {
    event: '<<event>>',
    name: 'Failure alert <<event>>',
    webhookPath: '<<webhookPath>>',
    priority: 1,
    retry: { attempts: 5, backoff: 'exponential', delayMs: 2_000 },
  },
  schedule: null,
  nextSteps: [
    'Emit <<event>> with what failed (for example {"job":"nightly-sync","error":"…"}): n8n posts it to <<alertUrl>>.',
    'For n8n failures too: in n8n, open a workflow’s Settings and choose this workflow as its Error workflow.',
  ],
});
