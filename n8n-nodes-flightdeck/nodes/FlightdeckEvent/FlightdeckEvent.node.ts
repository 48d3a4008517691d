import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { ConsoleError, consoleCredentials, postSigned, type ConsoleCredentials } from '../../shared/console-client';
import { checkEventName, checkIdempotencyKey, EventInputError, eventResult, payloadText } from '../../shared/event';

/**
 * "Flightdeck: Emit Event": one signed `POST /events/<event>` per item to the console's ingest
 * door, which routes it through its mappings (queued, rate-limited, gated or scheduled there).
 * Succeeds only on the console's signed acknowledgement of 202 (the runs are durably queued).
 */
export class FlightdeckEvent implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Flightdeck: Emit Event',
    name: 'flightdeckEvent',
    icon: 'file:flightdeck.svg',
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["event"] }}',
    description: "Send a signed event to the Flightdeck console's queue",
    defaults: { name: 'Emit Event' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'flightdeckApi', required: true }],
    properties: [
      {
        displayName: 'Event',
        name: 'event',
        type: 'string',
        required: true,
        default: '',
        placeholder: 'e.g. order.created',
        description: 'The event name a mapping in Flightdeck listens for',
      },
      {
        displayName: 'Send',
        name: 'payloadSource',
        type: 'options',
        options: [
          { name: 'The Incoming Item', value: 'item', description: "The item's JSON as it arrives" },
          { name: 'JSON', value: 'json', description: 'A JSON payload you write (expressions allowed)' },
        ],
        default: 'item',
      },
      {
        displayName: 'Payload',
        name: 'payload',
        type: 'json',
        displayOptions: { show: { payloadSource: ['json'] } },
        default: '{\n  "orderId": 81\n}',
        description: 'Use an expression for values from the item, e.g. {{ JSON.stringify({ orderId: $json.id }) }}',
      },
      {
        displayName: 'Idempotency Key',
        name: 'idempotencyKey',
        type: 'string',
        default: '',
        placeholder: 'e.g. order-{{ $json.id }}',
        description:
          'Sending the same key again (a retry) gives back the runs the first one created instead of new ones (kept 24 h)',
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    let credentials: ConsoleCredentials;
    try {
      credentials = consoleCredentials(await this.getCredentials('flightdeckApi'));
    } catch (error) {
      throw new NodeOperationError(this.getNode(), (error as Error).message);
    }
    const out: INodeExecutionData[] = [];
    for (let i = 0; i < items.length; i++) {
      try {
        const event = checkEventName(String(this.getNodeParameter('event', i)));
        const source = this.getNodeParameter('payloadSource', i, 'item') as 'item' | 'json';
        const body = payloadText(source === 'json' ? this.getNodeParameter('payload', i) : items[i]?.json);
        const key = checkIdempotencyKey(String(this.getNodeParameter('idempotencyKey', i, '')).trim());
        const answer = await postSigned(
          this.helpers.httpRequest,
          credentials,
          `events/${encodeURIComponent(event)}`,
          body,
          key,
        );
        out.push({ json: { ...eventResult(event, key, answer.json) }, pairedItem: { item: i } });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.continueOnFail()) {
          out.push({ json: { error: message }, pairedItem: { item: i } });
          continue;
        }
        if (error instanceof EventInputError || error instanceof ConsoleError) {
          throw new NodeOperationError(this.getNode(), message, { itemIndex: i });
        }
        throw error;
      }
    }
    return [out];
  }
}
