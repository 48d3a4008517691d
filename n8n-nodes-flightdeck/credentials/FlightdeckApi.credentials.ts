import type {
  ICredentialDataDecryptedObject,
  ICredentialTestRequest,
  ICredentialType,
  IHttpRequestOptions,
  INodeProperties,
} from 'n8n-workflow';
import { consoleCredentials, proveConsole } from '../shared/console-client';

/** The nonce of the test's own request; the proof is checked with a fresh one first (authenticate). */
const TEST_NONCE = 'flightdeck-n8n-credential-test';

/**
 * The Flightdeck console's ingest door: its address and the HMAC secret every request is signed
 * with. The nodes sign their requests themselves (shared/console-client.ts); this credential's
 * `authenticate` is only reached by its own test.
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

  /**
   * n8n runs a credential-level test the same way however the package was installed (a node's own
   * test function is not found for nodes in a custom extensions folder), but a declarative test
   * cannot check an HMAC. So before the test's request goes out, this proves with a fresh nonce that
   * the console answers `POST /challenge` with HMAC(secret, "challenge.<nonce>"); a wrong secret or
   * something else at the address fails the test with the reason.
   */
  authenticate = async (
    credentials: ICredentialDataDecryptedObject,
    requestOptions: IHttpRequestOptions,
  ): Promise<IHttpRequestOptions> => {
    const body = requestOptions.body as { nonce?: unknown } | undefined;
    if (body?.nonce === TEST_NONCE) await proveConsole(consoleCredentials(credentials));
    return requestOptions;
  };

  test: ICredentialTestRequest = {
    request: {
      baseURL: '={{ $credentials.url.replace(/\\/+$/, "") }}',
      url: '/challenge',
      method: 'POST',
      body: { nonce: TEST_NONCE },
    },
  };
}
