import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IDEMPOTENCY_KEY_PATTERN } from '../core/ingest/signature';
import { defaultDataDir } from '../core/paths';
import { formatLocalRuns } from '../../shared/run-identity';
import { linkFor } from '../app/deep-link';
import { emitToConsole, EXIT } from './emit-client';
import { failureOf, runTeamCommand, runUsersCommand, TEAM_USAGE, USERS_USAGE } from './team-commands';

const USAGE = `Usage: flightdeck emit <event> [--data <file.json>|-] [--idempotency-key <key>]
                       [--data-dir <dir>] [--timeout <seconds>]
       flightdeck users list|add|role|disable|enable|reset …   (flightdeck users --help)
       flightdeck team enable --admin <name>                  (flightdeck team --help)

Sends an event to the running Flightdeck console on this machine, signed with its ingest
secret, after the console has proved it holds that secret. Without --data the payload is {}.
--timeout applies to each request (default 10 seconds).

Exit codes: 0 queued, 1 refused by the console, 2 usage or bad input, 3 no running console
(none found, or ingest.json is stale), 4 something other than this console answers on its
port (nothing was sent), 5 no answer in time.`;

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

/** The payload as raw JSON text: sent exactly as written, once it is known to be JSON. */
function readPayload(source: string | undefined): string {
  if (source === undefined) return '{}';
  const name = source === '-' ? 'Standard input' : source;
  let text: string;
  try {
    text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  } catch (error) {
    return fail(`Cannot read ${name}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    JSON.parse(text);
  } catch {
    return fail(`${name} is not valid JSON.`, EXIT.usage);
  }
  return text;
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 10_000;
  const secondsValue = Number(value);
  if (!Number.isFinite(secondsValue) || secondsValue <= 0 || secondsValue > 3600) {
    return fail(`--timeout must be a number of seconds between 0 and 3600 (got "${value}").`, EXIT.usage);
  }
  return Math.round(secondsValue * 1000);
}

/** `users` and `team`: team mode's accounts (team-commands.ts). */
async function runAccounts(command: 'users' | 'team', rest: string[]): Promise<void> {
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command === 'users' ? USERS_USAGE : TEAM_USAGE);
    return;
  }
  try {
    await (command === 'users' ? runUsersCommand(rest) : runTeamCommand(rest));
  } catch (error) {
    const failure = failureOf(error);
    fail(failure.message, failure.code);
  }
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === 'users' || first === 'team') return runAccounts(first, rest);
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
  const { values, positionals } = parsed;
  const [command, event] = positionals;
  if (values.help) fail(USAGE, 0);
  if (command !== 'emit' || !event) fail(USAGE, EXIT.usage);

  const timeoutMs = parseTimeout(values.timeout);
  const key = values['idempotency-key'];
  if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    fail('--idempotency-key must be 1 to 200 visible ASCII characters (no spaces).', EXIT.usage);
  }
  const outcome = await emitToConsole({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    event,
    body: readPayload(values.data),
    ...(key === undefined ? {} : { idempotencyKey: key }),
    timeoutMs,
  });
  if (outcome.kind !== 'queued') fail(outcome.message, EXIT[outcome.kind]);
  // The answer as JSON for scripts (stdout); for the person at the terminal, the runs as the console names them.
  console.log(JSON.stringify(outcome.answer));
  const ids = Array.isArray(outcome.answer.executionIds)
    ? outcome.answer.executionIds.filter((id): id is number => Number.isSafeInteger(id))
    : [];
  if (ids.length > 0) {
    console.error(
      `${outcome.answer.deduplicated === true ? 'Already queued as' : 'Queued as'} ${formatLocalRuns(ids)}.`,
    );
    // Links the desktop app opens (in the browser console: the same route after the address, #/executions/FD-n).
    for (const id of ids) console.error(`  ${linkFor({ kind: 'execution', run: `FD-${id}` })}`);
  }
}

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string', short: 'd' },
      'idempotency-key': { type: 'string' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main(process.argv.slice(2)).catch((error: unknown) => fail(`flightdeck: ${(error as Error).message}`, EXIT.refused));
