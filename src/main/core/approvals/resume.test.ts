import { afterEach, describe, expect, it } from 'vitest';
import { createApprovalsModule } from './approvals-module';
import { waitingFromExecutionsTable } from './default-ports';
import type { ResumeBody } from './ports';
import { classifyResume, RESUME_RETRY_BASE_MS } from './resumer';
import { silentLogger } from '../logger';
import { approvalsHarness, expectCode, fakeN8n } from '../testing/approvals-kit';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function harness(...args: Parameters<typeof approvalsHarness>) {
  const h = approvalsHarness(...args);
  cleanups.push(h.cleanup, () => h.module.stop());
  return h;
}

describe('n8n waits: registration', () => {
  it('registers a waiting execution once (a repeated POST returns the same item)', () => {
    const h = harness();
    const first = h.wait('81', {
      priority: 1,
      dueAtMs: h.clock.now() + 60_000,
      expiry: { afterMs: 3_600_000, action: 'reject' },
    });
    expect(first.created).toBe(true);
    expect(first.approval).toMatchObject({
      kind: 'wait',
      status: 'pending',
      remoteExecutionId: '81',
      instanceId: 'dev',
      priority: 1,
      expiresAtMs: h.clock.now() + 3_600_000,
      expiryAction: 'reject',
    });
    const again = h.wait(81);
    expect(again).toEqual({ approval: first.approval, created: false });
    expect(h.service.count()).toEqual({ pending: 1, high: 1 });
  });

  it('resolves the instance by base URL and links a run Flightdeck dispatched', () => {
    const h = harness();
    h.db
      .prepare(
        "INSERT INTO executions (source, instance_id, remote_id, status, created_at_ms, updated_at_ms) VALUES ('local', 'dev', '90', 'waiting', 0, 0)",
      )
      .run();
    const { approval } = h.wait('90', { instanceId: undefined, instanceUrl: 'http://127.0.0.1:5678/' });
    expect(approval.executionId).toBe(1);
  });

  it.each([
    ['not an object', 'hello', /Invalid argument/],
    ['no instance', { instanceId: undefined }, /instanceId or instanceUrl/],
    ['an unknown instance', { instanceId: 'prod' }, /Unknown n8n instance prod/],
    ['a resume URL elsewhere', { resumeUrl: 'http://evil.example/webhook-waiting/1' }, /instance's own address/],
    ['a bad resume URL', { resumeUrl: 'not a url' }, /resumeUrl/],
    ['an empty summary', { summary: '  ' }, /summary/],
    ['a bad execution id', { executionId: '../1' }, /executionId/],
    ['an unknown field', { extra: 1 }, /extra/],
    ['a bad priority', { priority: 12 }, /priority/],
    ['a short expiry', { expiry: { afterMs: 5, action: 'approve' } }, /expiry/],
  ])('refuses %s and stores nothing', (_name, body, message) => {
    const h = harness();
    const input =
      typeof body === 'string'
        ? body
        : {
            instanceId: 'dev',
            executionId: '1',
            resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/1',
            summary: 's',
            ...body,
          };
    expect(expectCode(() => h.service.registerWaiting(input), 'VALIDATION')).toMatch(message);
    expect(h.service.count().pending).toBe(0);
    expect(h.auditActions()).toEqual([]);
  });

  it('finds dispatched runs n8n holds waiting on a webhook-resumed Wait node, titled without ids', async () => {
    const h = harness();
    h.db
      .prepare(
        `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color,
           created_at_ms, updated_at_ms) VALUES ('dev', 'dev', 'http://127.0.0.1:5678', 'x', 'xxxx', 'file', 'dev', '#2f6fed', 0, 0)`,
      )
      .run();
    const wait = (resume: string, httpMethod = 'POST') =>
      JSON.stringify({ node: 'Wait', nodeType: 'n8n-nodes-base.wait', resume, httpMethod, suffix: null, item: {} });
    const row = h.db.prepare(
      `INSERT INTO executions (source, instance_id, workflow_id, remote_id, status, event, wait_json,
         created_at_ms, updated_at_ms) VALUES (?, ?, 'wf1', ?, ?, 'refund', ?, 0, 0)`,
    );
    // Every run's payload, beside its row (0026_execution_bodies.sql).
    const body = h.db.prepare(`INSERT INTO execution_bodies (id, payload_json) VALUES (?, '{"a":1}')`);
    const insert = { run: (...values: unknown[]) => body.run(row.run(...values).lastInsertRowid) };
    insert.run('local', 'dev', '11', 'waiting', wait('webhook'));
    insert.run('local', 'dev', '12', 'succeeded', wait('webhook'));
    insert.run('remote', 'dev', '13', 'waiting', wait('webhook')); // started in n8n: the instance did not opt in
    insert.run('local', 'dev', '14', 'waiting', wait('timeInterval')); // a timed wait
    insert.run('local', 'dev', '15', 'waiting', wait('webhook', 'GET')); // a decision cannot resume it
    insert.run('local', 'dev', '16', 'waiting', null); // what it waits on is not known yet
    const find = waitingFromExecutionsTable(h.ctx.store, h.ports.findInstance);
    expect(find()).toEqual([
      {
        instanceId: 'dev',
        remoteExecutionId: '11',
        workflowId: 'wf1',
        executionId: 1,
        mappingId: null,
        event: 'refund',
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/11',
        summary: 'refund: a: 1',
        payload: { a: 1 },
      },
    ]);
  });

  it('adds executions the sync reports waiting, once', async () => {
    const waiting = [
      {
        instanceId: 'dev',
        remoteExecutionId: '7',
        workflowId: 'wf1',
        executionId: null,
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/7',
        summary: 'wf1 waits',
      },
    ];
    const h = harness({ waitingExecutions: async () => waiting });
    expect(await h.service.syncWaiting()).toBe(1);
    expect(await h.service.syncWaiting()).toBe(0);
    expect(h.service.list({ status: 'open' }, 10).items[0]).toMatchObject({ kind: 'wait', remoteExecutionId: '7' });
  });
});

describe('n8n waits: exactly-once resume', () => {
  it('approve and reject resume with the decision and comment, once each', async () => {
    const h = harness();
    const a = h.wait('1').approval;
    const b = h.wait('2').approval;
    h.service.decide(a.id, 'approve', 'ok by me');
    h.service.decide(b.id, 'reject', 'too expensive');
    await h.module.resumer.drain();
    expect(h.n8n.calls).toEqual([
      {
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/1',
        body: { approved: true, comment: 'ok by me', decidedBy: 'tester' },
      },
      {
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/2',
        body: { approved: false, comment: 'too expensive', decidedBy: 'tester' },
      },
    ]);
    expect(h.service.rows.get(a.id)).toMatchObject({
      resume_state: 'resumed',
      resume_http_status: 200,
      resume_attempts: 1,
    });
    await h.module.tick();
    expect(h.n8n.calls).toHaveLength(2); // nothing is sent twice
    expect(h.calls.released).toEqual([]); // a wait never touches the queue
  });

  it('records the decision as resuming before calling n8n', async () => {
    let stateDuringCall: unknown;
    const h = harness({
      resumeExecution: async () => {
        stateDuringCall = h.service.rows.get(1).resume_state;
        return { status: 200 };
      },
    });
    h.service.decide(h.wait('1').approval.id, 'approve');
    await h.module.resumer.drain();
    expect(stateDuringCall).toBe('resuming');
  });

  it('a crash between the call and "resumed" retries once at restart; n8n answers 409 and it is done', async () => {
    const n8n = fakeN8n();
    // The first process reaches n8n (which resumes) and dies before it can record the answer
    // (so it is never stopped cleanly).
    const h = approvalsHarness({
      resumeExecution: ({ resumeUrl, body }) => {
        n8n.resume(resumeUrl, body);
        return new Promise(() => undefined);
      },
    });
    const item = h.wait('5').approval;
    h.service.decide(item.id, 'approve');
    await expect.poll(() => n8n.calls.length).toBe(1);
    expect(h.service.rows.get(item.id).resume_state).toBe('resuming');

    const restarted = createApprovalsModule(h.ctx, h.audit, {
      ...h.ports,
      resumeExecution: async ({ resumeUrl, body }) => n8n.resume(resumeUrl, body),
    });
    cleanups.push(h.cleanup, () => restarted.stop());
    restarted.start();
    await expect.poll(() => h.service.rows.get(item.id).resume_state).toBe('resumed');
    expect(n8n.calls).toHaveLength(2);
    expect(n8n.resumed.size).toBe(1); // n8n resumed exactly once
    expect(h.service.rows.get(item.id).resume_http_status).toBe(409);
    await restarted.tick();
    expect(n8n.calls).toHaveLength(2);
  });

  it('an answer that cannot be written keeps the process up; the resume is sent again at the next drain', async () => {
    const h = harness();
    const errors: string[] = [];
    h.ctx.logger = { ...silentLogger, error: (message) => errors.push(message) };
    const item = h.wait('7').approval;
    // The store refuses the write that records n8n's answer, as a full disk or an I/O error would.
    h.db.exec(`CREATE TRIGGER refuse_resumed BEFORE UPDATE OF resume_state ON approvals
      WHEN NEW.resume_state = 'resumed' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    h.service.decide(item.id, 'approve');
    expect(await h.module.resumer.drain()).toBe(1); // settles (and is not resent in a tight loop)
    expect(errors).toEqual(['Could not record resume answers; they will be sent again']);
    expect(h.n8n.calls).toHaveLength(1);
    expect(h.service.rows.get(item.id)).toMatchObject({ resume_state: 'resuming', resume_attempts: 0 });

    h.db.exec('DROP TRIGGER refuse_resumed');
    await h.module.tick();
    expect(h.n8n.calls).toHaveLength(2);
    expect(h.service.rows.get(item.id)).toMatchObject({ resume_state: 'resumed', resume_attempts: 1 });
  });

  it('retries while n8n is unreachable, with backoff, and never loses the decision', async () => {
    let up = false;
    const seen: ResumeBody[] = [];
    const h = harness({
      resumeExecution: async ({ body }) => {
        if (!up) throw new Error('connect ECONNREFUSED');
        seen.push(body);
        return { status: 200 };
      },
    });
    const item = h.wait('9').approval;
    h.service.decide(item.id, 'reject', 'no');
    await h.module.resumer.drain();
    expect(h.service.rows.get(item.id)).toMatchObject({ resume_state: 'resuming', resume_attempts: 1 });
    expect(h.service.rows.get(item.id).resume_error).toMatch(/ECONNREFUSED/);
    up = true;
    await h.module.tick(); // not due yet
    expect(seen).toEqual([]);
    h.clock.advance(RESUME_RETRY_BASE_MS);
    await h.module.tick();
    expect(seen).toEqual([{ approved: false, comment: 'no', decidedBy: 'tester' }]);
    expect(h.service.rows.get(item.id).resume_state).toBe('resumed');
  });

  it('a decision made before n8n saved the wait (409: still running) is sent again until it lands', async () => {
    let waitSaved = false;
    const seen: ResumeBody[] = [];
    const h = harness({
      resumeExecution: async ({ body }) => {
        seen.push(body);
        return waitSaved ? { status: 200 } : { status: 409, stillRunning: true };
      },
    });
    const item = h.wait('12').approval;
    h.service.decide(item.id, 'approve', 'at once');
    await h.module.resumer.drain();
    expect(h.service.rows.get(item.id)).toMatchObject({
      resume_state: 'resuming',
      resume_attempts: 1,
      resume_http_status: 409,
      resume_error: expect.stringMatching(/still running/),
    });
    waitSaved = true;
    h.clock.advance(RESUME_RETRY_BASE_MS);
    await h.module.tick();
    expect(h.service.rows.get(item.id)).toMatchObject({ resume_state: 'resumed', resume_http_status: 200 });
    expect(seen).toHaveLength(2);
  });

  it('classifies n8n answers', () => {
    expect(classifyResume(200).state).toBe('resumed');
    expect(classifyResume(409).state).toBe('resumed');
    expect(classifyResume(409, { stillRunning: false }).state).toBe('resumed');
    expect(classifyResume(409, { stillRunning: true }).state).toBe('retry');
    expect(classifyResume(503).state).toBe('retry');
    expect(classifyResume(429).state).toBe('retry');
    expect(classifyResume(404)).toMatchObject({ state: 'failed', error: expect.stringMatching(/not waiting/) });
    expect(classifyResume(400).state).toBe('failed');
    // n8n 2.x: a refused signature on a waiting execution fails; on a closed one it is done.
    expect(classifyResume(401)).toMatchObject({ state: 'failed', error: expect.stringMatching(/signature/) });
    expect(classifyResume(401, { closed: true })).toMatchObject({ state: 'resumed', status: 401, error: null });
  });

  it('on n8n 2.x a redelivery after a crash meets a closed execution (401) and is done, never resumed twice', async () => {
    const n8n = fakeN8n();
    const h = approvalsHarness({
      resumeExecution: ({ resumeUrl, body }) => {
        n8n.resume(resumeUrl, body);
        return new Promise(() => undefined); // dies before recording n8n's answer
      },
    });
    const item = h.wait('6').approval;
    h.service.decide(item.id, 'approve');
    await expect.poll(() => n8n.calls.length).toBe(1);
    const restarted = createApprovalsModule(h.ctx, h.audit, {
      ...h.ports,
      // What the HTTP port reports when 2.x answers 401 and the lookup finds the run finished.
      resumeExecution: async () => ({ status: 401, closed: true }),
    });
    cleanups.push(h.cleanup, () => restarted.stop());
    restarted.start();
    await expect.poll(() => h.service.rows.get(item.id).resume_state).toBe('resumed');
    expect(h.service.rows.get(item.id)).toMatchObject({ resume_http_status: 401, resume_error: null });
    expect(n8n.resumed.size).toBe(1);
  });

  it('an expired wait resumes with its expiry action', async () => {
    const h = harness();
    const item = h.wait('3', { expiry: { afterMs: 60_000, action: 'approve' } }).approval;
    h.clock.advance(60_000);
    await h.module.tick();
    expect(h.n8n.calls).toEqual([
      {
        resumeUrl: 'http://127.0.0.1:5678/webhook-waiting/3',
        body: { approved: true, comment: expect.stringMatching(/expired and approved/), decidedBy: 'system' },
      },
    ]);
    expect(h.service.rows.get(item.id).status).toBe('expired');
  });
});
