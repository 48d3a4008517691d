import { afterEach, describe, expect, it } from 'vitest';
import { closedAfter, startHugeAnswerServer, startTrickleServer, type AnswerServer } from '../testing/answer-servers';
import { waitUntil } from '../testing/wait';
import { createWebhookProbe } from './health-probe';

const MB = 1024 * 1024;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const using = (server: Promise<AnswerServer>) => closedAfter(cleanups, server);

function probe() {
  const p = createWebhookProbe();
  cleanups.push(() => p.close());
  return p;
}

describe('the health probe reads only the head of an answer', () => {
  it("reads a proxy's endless 503 page only as far as it needs and says what it saw", async () => {
    const s = await using(startHugeAnswerServer({ totalBytes: 100 * MB, status: 503, contentType: 'text/html' }));
    const signal = await probe()(s.url, 10_000);
    expect(signal).toEqual({ up: false, reason: `${s.url}/webhook/flightdeck-health-probe answered 503` });
    await waitUntil('the server to see the probe leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });

  it('still finds n8n starting up in a long answer', async () => {
    const s = await using(
      startHugeAnswerServer({
        totalBytes: MB,
        head: 'n8n is starting up. Please wait',
        fill: ' ',
        contentType: 'text/plain',
      }),
    );
    expect(await probe()(s.url, 10_000)).toEqual({ up: false, reason: 'n8n is starting up' });
  });

  it('gives up on a trickling answer at its time limit', async () => {
    const s = await using(startTrickleServer());
    const signal = await probe()(s.url, 1_000);
    expect(signal.up).toBe(false);
    expect(s.requests).toBe(1);
  });
});
