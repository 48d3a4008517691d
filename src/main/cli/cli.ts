import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ingestInfoFile } from '../core/ingest/ingest-module';
import { ingestSecretPath } from '../core/ingest/ingest-secret';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../core/ingest/signature';
import { defaultDataDir } from '../core/paths';

const USAGE = `Usage: flightdeck emit <event> [--data <file.json>|-] [--idempotency-key <key>] [--data-dir <dir>]

Sends an event to the running Flightdeck console on this machine (signed with its ingest
secret). Without --data the payload is {}. Exit codes: 0 queued, 1 refused, 2 usage.`;

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

function readPayload(source: string | undefined): unknown {
  if (source === undefined) return {};
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail(`${source === '-' ? 'Standard input' : source} is not valid JSON.`, 2);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string', short: 'd' },
      'idempotency-key': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, event] = positionals;
  if (values.help || command !== 'emit' || !event) fail(USAGE, values.help ? 0 : 2);

  const dataDir = values['data-dir'] ?? defaultDataDir();
  let url: string;
  let secret: string;
  try {
    url = (JSON.parse(readFileSync(ingestInfoFile(dataDir), 'utf8')) as { url: string }).url;
    secret = readFileSync(ingestSecretPath(dataDir), 'utf8').trim();
  } catch {
    return fail(`No running Flightdeck console found for ${dataDir}: start it (npm start), or pass --data-dir.`, 1);
  }
  const body = JSON.stringify(readPayload(values.data));
  const timestamp = Date.now();
  let response: Response;
  try {
    response = await fetch(`${url}/events/${encodeURIComponent(event)}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: sign(secret, timestamp, body),
        [TIMESTAMP_HEADER]: String(timestamp),
        ...(values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {}),
      },
    });
  } catch {
    return fail(`Flightdeck is not answering at ${url}: is the console running?`, 1);
  }
  const answer = (await response.json()) as { ok: boolean; error?: { message: string } };
  if (!answer.ok) fail(`Refused (${response.status}): ${answer.error?.message ?? 'unknown reason'}`, 1);
  console.log(JSON.stringify(answer));
}

main(process.argv.slice(2)).catch((error: unknown) => fail(`flightdeck: ${(error as Error).message}`, 1));
