import { afterEach, describe, expect, it } from 'vitest';
import { mappingInputSchema } from '../../../shared/contract/mappings';
import { createMappingService } from '../mappings/mapping-service';
import { createSqliteJobStore } from '../queue/sqlite-job-store';
import { startHugeAnswerServer, type AnswerServer } from '../testing/answer-servers';
import { testContext } from '../testing/test-core';
import { waitUntil } from '../testing/wait';
import { createDispatcher } from './dispatcher';
import { createEmitter } from './emit';
import { createExecutionsWriter } from './executions-writer';
import { createWebhookPost } from './webhook-post';

const MB = 1024 * 1024;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function server(options: Parameters<typeof startHugeAnswerServer>[0]): Promise<AnswerServer> {
  const s = await startHugeAnswerServer(options);
  cleanups.push(() => s.close());
  return s;
}

function post(options: { answerLimit?: number } = {}) {
  const p = createWebhookPost(options);
  cleanups.push(() => p.close());
  return (url: string) =>
    p({ instanceId: 'dev', url, body: { a: 1 }, headers: {}, timeoutMs: 10_000, signal: new AbortController().signal });
}

describe('webhook answers are read up to a limit', () => {
  it('keeps an answer within the limit whole', async () => {
    const s = await server({ totalBytes: 60 * 1024, head: '{"executionId":"77","pad":"', fill: 'p' });
    const answer = await post()(`${s.url}/webhook/x`);
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(60 * 1024);
    expect(answer.body.startsWith('{"executionId":"77"')).toBe(true);
    expect(s.cutShort).toBe(0);
  });

  it('cuts a 100 MB answer at 64 KiB and closes the connection: the server never sent most of it', async () => {
    const s = await server({ totalBytes: 100 * MB, contentType: 'application/octet-stream', declareLength: true });
    const answer = await post()(`${s.url}/webhook/file`);
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeLessThanOrEqual(2048);
    expect(answer.body).toMatch(/^x+… \(cut at 64 KiB: the answer was longer\)$/);
    await waitUntil('the server to see the client leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });

  it('a smaller limit can be injected; an error answer is cut the same way', async () => {
    const s = await server({ totalBytes: 10_000, status: 500, contentType: 'text/html' });
    const answer = await post({ answerLimit: 1024 })(`${s.url}/webhook/x`);
    expect(answer.status).toBe(500);
    expect(answer.body).toMatch(/… \(cut at 1 KiB: the answer was longer\)$/);
  });
});

describe('a run whose webhook answers 100 MB (dispatcher, real SQLite, real HTTP)', () => {
  it('is recorded as delivered, with a cut excerpt', async () => {
    const s = await server({ totalBytes: 100 * MB, head: '{"executionId":"9","data":"' });
    const t = testContext({ clock: { now: () => Date.now() } });
    cleanups.push(t.cleanup);
    const instanceBaseUrl = (id: string) => (id === 'dev' ? s.url : null);
    const mappings = createMappingService(t.ctx, t.audit, { instanceBaseUrl });
    const jobs = createSqliteJobStore({ store: t.ctx.store, clock: t.ctx.clock });
    const executions = createExecutionsWriter(t.ctx.store);
    const emit = createEmitter({ ctx: t.ctx, audit: t.audit, mappings, jobs, executions });
    const webhookPost = createWebhookPost();
    const dispatcher = createDispatcher({ ctx: t.ctx, jobs, executions, instanceBaseUrl, post: webhookPost });
    cleanups.push(webhookPost.close, () => dispatcher.stop?.());
    mappings.create(
      mappingInputSchema.parse({
        event: 'file.asked',
        instanceId: 'dev',
        webhookPath: 'file',
        retry: { attempts: 1, backoff: 'fixed', delayMs: 5, jitter: 0 },
      }),
    );
    const id = emit({ event: 'file.asked', payload: {}, source: 'ui', actor: 'ana' }).executionIds[0]!;
    dispatcher.start?.();
    const row = await waitUntil(`execution ${id} to settle`, () => {
      const r = t.ctx.store.db
        .prepare('SELECT status, attempts, response_status, response_excerpt, remote_id FROM executions WHERE id = ?')
        .get(id) as {
        status: string;
        attempts: number;
        response_status: number;
        response_excerpt: string;
        remote_id: string | null;
      };
      return r.status === 'queued' || r.status === 'dispatching' ? undefined : r;
    });
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1, response_status: 200, remote_id: null });
    expect(row.response_excerpt.startsWith('{"executionId":"9","data":"xxx')).toBe(true);
    expect(row.response_excerpt.endsWith('(cut at 64 KiB: the answer was longer)')).toBe(true);
    expect(s.requests).toBe(1);
    await waitUntil('the server to see the client leave', () => s.cutShort === 1);
    expect(s.sentBytes).toBeLessThan(32 * MB);
  });
});
