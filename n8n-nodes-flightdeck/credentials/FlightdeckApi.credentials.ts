import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The Flightdeck console's ingest door: its address and the HMAC secret every request is signed
 * with. Tested by `POST /challenge` (see shared/console-client.ts, testConsoleCredential), which
 * only the console holding the secret can answer.
 */
export class FlightdeckApi implements ICredentialType {
  name = 'flightdeckApi';

  displayName = 'Flightdeck API';

  icon = 'file:../icons/flightdeck.svg' as const;

  properties: INodeProperties[] = [
    {
      displayName: 'Console Address',
      name: 'url',
      type: 'string',
      default: 'http://127.0.0.1:4681',
      placeholder: 'http://127.0.0.1:4681',
      required: true,
      description:
        "The console's event ingest address, as shown under Settings → Event ingest (port FLIGHTDECK_INGEST_PORT, default 4681). The console listens on loopback: run n8n on the same machine, or reach it through a tunnel.",
    },
    {
      displayName: 'Ingest Secret',
      name: 'secret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      description: "The one line of the console's <data dir>/keys/ingest.secret (readable by its owner only)",
    },
    {
      displayName: 'Instance ID in Flightdeck',
      name: 'instanceId',
      type: 'string',
      default: '',
      description:
        "This n8n's ID under Instances in Flightdeck. Leave empty to let the console find it by this n8n's address.",
    },
  ];
}
