/** The pure parts of "Flightdeck: Emit Event": checking what is sent and reading the answer. */
import { EVENT_NAME_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './protocol';

/** A parameter the console would refuse, worded for the workflow author. */
export class EventInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventInputError';
  }
}

export function checkEventName(event: string): string {
  const name = event.trim();
  if (!EVENT_NAME_PATTERN.test(name)) {
    throw new EventInputError(
      `Event "${name.slice(0, 60)}" is not a valid name: letters, digits and . _ : - (starting with a letter or digit), up to 100 characters.`,
    );
  }
  return name;
}

/** The key as sent, or undefined for none. */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new EventInputError('The idempotency key must be 1 to 200 visible ASCII characters, without spaces.');
  }
  return key;
}

/** The JSON text sent for a payload: an object parsed from text, or the value itself. */
export function payloadText(payload: unknown): string {
  let value = payload;
  if (typeof payload === 'string') {
    try {
      value = JSON.parse(payload) as unknown;
    } catch {
      throw new EventInputError('The payload is not valid JSON.');
    }
  }
  if (value === undefined) throw new EventInputError('The payload is empty.');
  return JSON.stringify(value);
}

/** What the console answered to an accepted event (`202 {ok, executionIds, deduplicated}`). */
export interface EventResult {
  event: string;
  executionIds: number[];
  deduplicated: boolean;
  idempotencyKey: string | null;
}

export function eventResult(
  event: string,
  idempotencyKey: string | undefined,
  json: Record<string, unknown>,
): EventResult {
  const ids = Array.isArray(json.executionIds)
    ? json.executionIds.filter((id): id is number => typeof id === 'number')
    : [];
  return { event, executionIds: ids, deduplicated: json.deduplicated === true, idempotencyKey: idempotencyKey ?? null };
}
