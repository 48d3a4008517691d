import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { waitRegistrationSchema } from '../../src/main/core/approvals/wait-registration';
import { describeInput } from './contract-world';
import { signIngest } from './host-process';
import { doorParameters, H, notRefused, notRefusedFetch, useDoorWorld } from './door-world';
import { checkProperty, replayHint } from './fuzz-config';
import { deepJson, ODD_STRINGS } from './hostile';
import { rawRequest } from './raw-wire';
import { arbitraryFor, inputArbitrary } from './zod-arbitrary';

/**
 * The signed ingest door (POST /events/<event>, POST /approvals), tried as a hostile neighbour
 * would: malformed paths, missing, wrong, stale and replayed signatures, huge, deep and broken
 * bodies, and fuzzed registrations. Each must be refused with a 4xx and store nothing; the host
 * must stay up.
 */

const FILE = 'tests/fuzz/ingest-door.test.ts';
const w = useDoorWorld(FILE);

// ---- the ingest door ------------------------------------------------------------------------------

const signedPost = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${w.ingestUrl}${path}`, {
    method: 'POST',
    headers: { ...signIngest(w.secret, Date.now(), body), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

describe('the ingest door refuses malformed paths, bad signatures and hostile bodies', () => {
  it('malformed paths get a 4xx', async () => {
    const before = w.stored();
    const paths = [
      '/events/%',
      '/events/%E0%A4%A',
      '/events/%C0%AF',
      '/events/%ED%A0%80',
      '/events/',
      '/events/a/b',
      '/events/..%2f..%2fapprovals',
      `/events/${'e'.repeat(20_000)}`,
      '//events/order.created',
      '/events/order.created%00',
      '/approvals/%',
      '/%',
      '//[',
    ];
    const problems: string[] = [];
    for (const path of paths) {
      const request = `POST ${path} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
      const problem = notRefused(`POST ${path.slice(0, 60)}`, await rawRequest(w.ingestPort, request));
      if (problem) problems.push(problem.split('\r\n')[0]!);
    }
    expect(problems).toEqual([]);
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('missing, malformed, wrong and stale signatures get a 401', async () => {
    const before = w.stored();
    const body = JSON.stringify({ amount: 1 });
    const signed = signIngest(w.secret, Date.now(), body);
    const variants: [string, Record<string, string>][] = [
      ['no signature', { 'content-type': 'application/json' }],
      [
        'no timestamp',
        { 'content-type': 'application/json', 'x-flightdeck-signature': signed['x-flightdeck-signature']! },
      ],
      ['a malformed signature', { ...signed, 'x-flightdeck-signature': 'sha256=zz' }],
      [
        'another algorithm',
        { ...signed, 'x-flightdeck-signature': signed['x-flightdeck-signature']!.replace('sha256=', 'md5=') },
      ],
      ['upper-case hex', { ...signed, 'x-flightdeck-signature': signed['x-flightdeck-signature']!.toUpperCase() }],
      ['signed with another secret', signIngest('not-the-secret', Date.now(), body)],
      ['signed for another body', signIngest(w.secret, Date.now(), '{"amount":2}')],
      ['ten minutes old', signIngest(w.secret, Date.now() - 600_000, body)],
      ['ten minutes ahead', signIngest(w.secret, Date.now() + 600_000, body)],
      ['a timestamp that is not a number', { ...signed, 'x-flightdeck-timestamp': 'NaN' }],
      ['a timestamp of 1e309', { ...signed, 'x-flightdeck-timestamp': '1e309' }],
      ['a timestamp in seconds', signIngest(w.secret, Math.floor(Date.now() / 1000), body)],
    ];
    const problems: string[] = [];
    for (const [name, headers] of variants) {
      const res = await fetch(`${w.ingestUrl}/events/order.created`, { method: 'POST', headers, body });
      if (res.status !== 401) problems.push(`${name}: ${res.status}`);
    }
    expect(problems).toEqual([]);
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('a replayed signed request is refused the second time', async () => {
    const body = JSON.stringify({ amount: 3 });
    const headers = signIngest(w.secret, Date.now(), body);
    const first = await fetch(`${w.ingestUrl}/events/order.created`, { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    await w.settled();
    const before = w.stored();
    const replay = await fetch(`${w.ingestUrl}/events/order.created`, { method: 'POST', headers, body });
    expect(replay.status, 'the same signed request again').toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    await w.settled();
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('huge, deep and broken bodies get a 4xx, signed or not', async () => {
    const before = w.stored();
    const huge = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    const deep = deepJson(5_000);
    const bodies: [string, () => Promise<Response>][] = [
      [
        '2 MiB unsigned',
        () =>
          fetch(`${w.ingestUrl}/events/order.created`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: huge,
          }),
      ],
      ['2 MiB signed', () => signedPost('/events/order.created', huge)],
      ['5,000 levels deep, signed', () => signedPost('/events/order.created', deep)],
      [
        '100,000 brackets, signed',
        () => signedPost('/events/order.created', '['.repeat(100_000) + ']'.repeat(100_000)),
      ],
      ['not JSON, signed', () => signedPost('/events/order.created', '{"amount":')],
      [
        'invalid UTF-8, signed',
        () => signedPost('/events/order.created', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])),
      ],
      ['text/plain, signed', () => signedPost('/events/order.created', '{}', { 'content-type': 'text/plain' })],
      ['an event nobody listens to, signed', () => signedPost('/events/nobody.listens', '{}')],
      ['a GET', () => fetch(`${w.ingestUrl}/events/order.created`)],
      ['approvals: 2 MiB signed', () => signedPost('/approvals', huge)],
      ['approvals: 5,000 levels deep, signed', () => signedPost('/approvals', deep)],
      [
        'approvals: unsigned',
        () =>
          fetch(`${w.ingestUrl}/approvals`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          }),
      ],
      ['approvals: a GET', () => fetch(`${w.ingestUrl}/approvals`)],
    ];
    const problems: string[] = [];
    for (const [name, send] of bodies) {
      const problem = await notRefusedFetch(name, await send());
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('fuzzed signed approval registrations that name no instance of ours are refused', async () => {
    const before = w.stored();
    // Derived from the door's own schema; instance references never match, so nothing may be stored.
    const registration = inputArbitrary(waitRegistrationSchema, (field, derived) => {
      if (field.key === 'instanceId') return fc.constantFrom('no-such-instance', '', ...ODD_STRINGS.slice(0, 8));
      if (field.key === 'instanceUrl') return fc.constantFrom('http://127.0.0.1:1', 'not a url', 'http://[::1');
      if (field.key === 'resumeUrl') return fc.oneof(derived(), fc.constant(`${w.loop.baseUrl}/webhook-waiting/1`));
      return undefined;
    });
    const property = fc.asyncProperty(registration, async (value) => {
      let body: string;
      try {
        body = JSON.stringify(value) ?? 'null';
      } catch {
        body = '['.repeat(5_000) + ']'.repeat(5_000);
      }
      const res = await signedPost('/approvals', body);
      if (res.status < 400 || res.status >= 500)
        throw new Error(`answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    });
    await checkProperty(property, doorParameters(1_002, 80), (v) => describeInput(v), replayHint(FILE));
    await w.expectAlive();
    w.expectUnchanged(before);
  });

  it('fuzzed signed event bodies for an unknown event store nothing', async () => {
    const before = w.stored();
    const body = fc.oneof(
      arbitraryFor(waitRegistrationSchema, () => undefined),
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom(...ODD_STRINGS),
    );
    const property = fc.asyncProperty(
      fc.tuple(body, fc.constantFrom('nobody.listens', 'x', ...ODD_STRINGS.slice(10, 20))),
      async ([value, event]) => {
        const res = await signedPost(
          `/events/${encodeURIComponent(event.replace(/[\uD800-\uDFFF]/g, '?'))}`,
          JSON.stringify(value) ?? 'null',
        );
        if (res.status < 400 || res.status >= 500)
          throw new Error(`answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      },
    );
    await checkProperty(property, doorParameters(1_003, 80), (v) => describeInput(v), replayHint(FILE));
    await w.expectAlive();
    w.expectUnchanged(before);
  });
});

describe('after everything', () => {
  it('the store is sound and the host never died', async () => {
    await w.expectSoundEnd();
  });
});
