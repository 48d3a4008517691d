/**
 * What the fake n8n must do, as one list of checks run against the fake (fake-n8n.test.ts, unit
 * project) and against a real n8n (tests/n8n/n8n-spec.test.ts, live project; 1.123.81 and 2.41.1):
 * status codes, error bodies, paging, run outcomes, retry and resume, exactly as Flightdeck meets
 * them, on each line as it behaves (`version` decides: publish versus activate, versionId on a
 * rename, signed resume). When n8n changes, the live run fails here first, and the fake follows.
 *
 * Every check makes its own workflows (unique paths), so the checks do not depend on each
 * other's data and a real instance can be shared by the whole list.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PROBE_PATH } from '../instances/health-probe';
import { webhookWorkflow, type WebhookWorkflowOptions } from './n8n-workflows';

export interface N8nSpecTarget {
  /** http://127.0.0.1:<port>, no trailing slash. */
  baseUrl: string;
  apiKey: string;
  /** The release the target runs, e.g. 1.123.81. */
  version: string;
}

interface Reply<T = unknown> {
  status: number;
  body: T;
}

/** Generous: a real n8n on a busy machine takes its time to store a run. */
const SETTLE_MS = 20_000;

export function describeN8nSpec(name: string, target: () => N8nSpecTarget): void {
  describe(`n8n spec: ${name}`, () => {
    const t = () => target();

    async function call<T = any>(
      method: string,
      path: string,
      body?: unknown,
      key: string | null | undefined = undefined,
    ): Promise<Reply<T>> {
      const apiKey = key === undefined ? t().apiKey : key;
      const res = await fetch(`${t().baseUrl}${path}`, {
        method,
        headers: {
          ...(apiKey === null ? {} : { 'X-N8N-API-KEY': apiKey }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (the editor page): keep the text.
      }
      return { status: res.status, body: parsed as T };
    }
    const api = <T = any>(method: string, path: string, body?: unknown) => call<T>(method, `/api/v1${path}`, body);
    const fire = (path: string, body: unknown = {}) => call<any>('POST', `/webhook/${path}`, body, null);

    const unique = () => randomUUID().slice(0, 8);
    const twoX = () => Number(t().version.split('.')[0]) >= 2;

    /**
     * Whether n8n serves POST /webhook/<path>, asked without starting a run: a GET there answers
     * "not registered for GET requests" once the POST webhook is registered. 2.x registers
     * webhooks a moment after /activate or /publish returns (404 meanwhile).
     */
    async function registered(path: string): Promise<boolean> {
      const probe = await call<any>('GET', `/webhook/${path}`, undefined, null);
      return typeof probe.body?.message === 'string' && probe.body.message.includes('not registered for GET requests');
    }
    async function untilRegistered(path: string, served = true): Promise<void> {
      await until(`/webhook/${path} ${served ? '' : 'not '}served`, async () =>
        (await registered(path)) === served ? true : undefined,
      );
    }

    async function workflow(options: Partial<WebhookWorkflowOptions> = {}, activate = true) {
      const path = options.path ?? `spec-${unique()}`;
      const created = await api('POST', '/workflows', webhookWorkflow({ ...options, path }));
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      if (activate) {
        expect((await api('POST', `/workflows/${created.body.id}/activate`)).status).toBe(200);
        await untilRegistered(path);
      }
      return { id: String(created.body.id), path, body: created.body };
    }

    /** Polls until `check` returns a value; n8n stores a run a moment after answering. */
    async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
      const end = Date.now() + SETTLE_MS;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** Executions of one workflow by id (the list hides waiting ones on 1.x, GET by id does not). */
    async function runsOf(workflowId: string, minCount: number): Promise<any[]> {
      return until(`${minCount} executions of ${workflowId}`, async () => {
        const listed = await api(`GET`, `/executions?workflowId=${workflowId}&limit=250`);
        return listed.body.data.length >= minCount ? (listed.body.data as any[]) : undefined;
      });
    }

    async function latestId(): Promise<number> {
      const listed = await api('GET', '/executions?limit=1');
      return Number(listed.body.data[0]?.id ?? 0);
    }

    /** The execution a waiting run made: ids grow, so it is between `before` and the next listed run. */
    async function waitingRunAfter(before: number, workflowId: string): Promise<any> {
      const marker = await workflow();
      expect((await fire(marker.path)).status).toBe(200);
      const [next] = await runsOf(marker.id, 1);
      for (let id = before + 1; id < Number(next.id); id++) {
        const found = await api('GET', `/executions/${id}`);
        if (found.status === 200 && String(found.body.workflowId) === workflowId) return found.body;
      }
      throw new Error(`no execution of ${workflowId} between ${before} and ${next.id}`);
    }

    it('answers /healthz without a key and names its release on the editor page', async () => {
      expect(await call('GET', '/healthz', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
      const settings = await call('GET', '/rest/settings', undefined, null);
      expect(settings.status).toBe(200);
      expect(settings.body).toMatchObject({ data: expect.any(Object) });
      const page = await call<string>('GET', '/', undefined, null);
      const meta = /name="n8n:config:sentry" content="([^"]+)"/.exec(page.body);
      expect(meta, 'sentry meta tag').not.toBeNull();
      expect(JSON.parse(Buffer.from(meta![1]!, 'base64').toString('utf8'))).toMatchObject({
        release: `n8n@${t().version}`,
      });
    });

    it('refuses the API without a key (401, header required) and with a wrong key (401, unauthorized)', async () => {
      expect(await call('GET', '/api/v1/workflows', undefined, null)).toEqual({
        status: 401,
        body: { message: twoX() ? 'Unauthorized' : "'X-N8N-API-KEY' header required" },
      });
      expect(await call('GET', '/api/v1/workflows', undefined, 'wrong-key')).toEqual({
        status: 401,
        body: { message: twoX() ? 'Unauthorized' : 'unauthorized' },
      });
    });

    it('creates, reads, updates and deletes a workflow; refuses read-only and unknown fields', async () => {
      const body = webhookWorkflow({ path: `spec-${unique()}`, name: 'CRUD' });
      expect(await api('POST', '/workflows', { ...body, active: true })).toEqual({
        status: 400,
        body: { message: 'request/body/active is read-only' },
      });
      expect(await api('POST', '/workflows', { ...body, tags: [] })).toEqual({
        status: 400,
        body: { message: 'request/body/tags is read-only' },
      });
      expect(await api('POST', '/workflows', { name: 'no nodes' })).toEqual({
        status: 400,
        body: { message: "request/body must have required property 'nodes'" },
      });
      const created = await api('POST', '/workflows', body);
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ name: 'CRUD', active: false, nodes: body.nodes });
      expect(created.body.versionId).toEqual(expect.any(String));
      // 1.x: the create answer has no tags, a read has them; 2.x answers them at once.
      if (twoX()) expect(created.body.tags).toEqual([]);
      else expect(created.body.tags).toBeUndefined();
      const id = String(created.body.id);
      expect((await api('GET', `/workflows/${id}`)).body).toMatchObject({ id, name: 'CRUD', tags: [] });
      expect(await api('PUT', `/workflows/${id}`, { ...body, versionId: 'x' })).toEqual({
        status: 400,
        body: {
          message: twoX() ? 'request/body/versionId is read-only' : 'request/body must NOT have additional properties',
        },
      });
      const updated = await api('PUT', `/workflows/${id}`, { ...body, name: 'CRUD 2' });
      expect(updated.status).toBe(200);
      expect(updated.body.name).toBe('CRUD 2');
      // 1.x: a new versionId on every save; 2.x: only when nodes or connections change.
      if (twoX()) expect(updated.body.versionId).toBe(created.body.versionId);
      else expect(updated.body.versionId).not.toBe(created.body.versionId);
      expect(Date.parse(updated.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));
      const moved = webhookWorkflow({ path: `spec-${unique()}`, name: 'CRUD 2' });
      const renodes = await api('PUT', `/workflows/${id}`, moved);
      expect(renodes.status).toBe(200);
      expect(renodes.body.versionId).not.toBe(updated.body.versionId);
      expect((await api('DELETE', `/workflows/${id}`)).status).toBe(200);
      // Soft: every error body that differs is reported in one run.
      expect.soft(await api('GET', `/workflows/${id}`)).toEqual({ status: 404, body: { message: 'Not Found' } });
      expect.soft(await api('PUT', `/workflows/${id}`, body)).toEqual({
        status: 404,
        body: {
          message: twoX()
            ? 'You do not have permission to update this workflow. Ask the owner to share it with you.'
            : 'Not Found',
        },
      });
      expect.soft(await api('DELETE', `/workflows/${id}`)).toEqual({ status: 404, body: { message: 'Not Found' } });
    });

    it('pages workflows with a cursor and refuses a limit over 250 or an unknown parameter', async () => {
      const made = [await workflow({}, false), await workflow({}, false), await workflow({}, false)];
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Reply<any> = await api('GET', `/workflows?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.data.map((w: { id: unknown }) => String(w.id)));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expect.arrayContaining(made.map((m) => m.id)));
      expect(new Set(seen).size).toBe(seen.length);
      if (twoX()) {
        // 2.x checks neither the limit nor unknown parameters here.
        expect((await api('GET', '/workflows?limit=300')).status).toBe(200);
        expect((await api('GET', '/workflows?bogus=1')).status).toBe(200);
      } else {
        expect(await api('GET', '/workflows?limit=300')).toEqual({
          status: 400,
          body: { message: 'request/query/limit must be <= 250' },
        });
        expect(await api('GET', '/workflows?bogus=1')).toEqual({
          status: 400,
          body: { message: "Unknown query parameter 'bogus'" },
        });
      }
    });

    it('serves a webhook only while its workflow is active, for its own method', async () => {
      const wf = await workflow({}, false);
      const inactive = await fire(wf.path, { a: 1 });
      expect(inactive.status).toBe(404);
      expect(inactive.body).toMatchObject({
        code: 404,
        message: `The requested webhook "POST ${wf.path}" is not registered.`,
      });
      expect((await api('POST', `/workflows/${wf.id}/activate`)).body).toMatchObject({ id: wf.id, active: true });
      await untilRegistered(wf.path);
      expect(await fire(wf.path, { a: 1 })).toEqual({ status: 200, body: { received: { a: 1 } } });
      const get = await call('GET', `/webhook/${wf.path}`, undefined, null);
      expect(get.status).toBe(404);
      expect(get.body).toMatchObject({ message: expect.stringContaining('not registered for GET requests') });
      expect((await api('POST', `/workflows/${wf.id}/deactivate`)).body).toMatchObject({ id: wf.id, active: false });
      await untilRegistered(wf.path, false);
      expect((await fire(wf.path)).status).toBe(404);
      expect(await api('POST', '/workflows/nope/activate')).toEqual({
        status: 404,
        body: {
          message: twoX()
            ? 'You do not have permission to activate this workflow. Ask the owner to share it with you.'
            : 'Not Found',
        },
      });
    });

    it('refuses to activate a workflow without a trigger', async () => {
      const created = await api('POST', '/workflows', {
        name: 'No trigger',
        nodes: [
          {
            id: randomUUID(),
            name: 'Set',
            type: 'n8n-nodes-base.set',
            typeVersion: 3.4,
            position: [0, 0],
            parameters: {},
          },
        ],
        connections: {},
        settings: {},
      });
      const refused = await api('POST', `/workflows/${created.body.id}/activate`);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain(twoX() ? 'it has no trigger node' : 'has no node to start the workflow');
    });

    it('records runs: success, a failing workflow answers 500, a waiting one is found by id', async () => {
      const ok = await workflow();
      const failing = await workflow({ fail: true });
      const waiting = await workflow({ waitForResume: true });
      const before = await latestId();
      expect((await fire(ok.path, { n: 1 })).status).toBe(200);
      expect(await fire(failing.path, { n: 2 })).toEqual({ status: 500, body: { message: 'Error in workflow' } });
      expect(await fire(waiting.path, { n: 3 })).toEqual({ status: 200, body: { message: 'Workflow was started' } });

      const [success] = await runsOf(ok.id, 1);
      expect(success).toMatchObject({
        finished: true,
        mode: 'webhook',
        status: 'success',
        retryOf: null,
        waitTill: null,
      });
      expect(Date.parse(success.startedAt)).not.toBeNaN();
      expect(Date.parse(success.stoppedAt)).not.toBeNaN();
      const [failed] = await runsOf(failing.id, 1);
      expect(failed).toMatchObject({ finished: false, status: 'error' });

      const parked = await waitingRunAfter(before, waiting.id);
      expect(parked).toMatchObject({ status: 'waiting', finished: false, waitTill: '3000-01-01T00:00:00.000Z' });
      const waitingListed = await api('GET', `/executions?workflowId=${waiting.id}`);
      // n8n 1.x leaves executions it still tracks out of the list (#14748); 2.x lists them.
      expect(waitingListed.body.data.length).toBe(Number(t().version.split('.')[0]) >= 2 ? 1 : 0);

      const detail = await api('GET', `/executions/${failed.id}?includeData=true`);
      expect(detail.body).toMatchObject({ id: String(failed.id), status: 'error', deletedAt: null });
      expect(Object.keys(detail.body.data.resultData.runData)).toEqual(expect.arrayContaining(['Webhook', 'Fail']));
      expect(detail.body.data.resultData.error).toEqual(expect.objectContaining({ message: expect.any(String) }));
      expect((await api('GET', `/executions/${failed.id}`)).body.data).toBeUndefined();
    });

    it('lists executions newest first, filters them and pages them with a cursor', async () => {
      const wf = await workflow();
      for (let i = 0; i < 3; i++) expect((await fire(wf.path, { i })).status).toBe(200);
      const all = await runsOf(wf.id, 3);
      const ids = all.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Reply<any> = await api(
          'GET',
          `/executions?workflowId=${wf.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        paged.push(...page.body.data.map((e: { id: string }) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all.map((e) => e.id));
      const errors = await api('GET', '/executions?status=error&limit=250');
      expect(errors.body.data.every((e: { status: string }) => e.status === 'error')).toBe(true);
      if (twoX()) expect((await api('GET', '/executions?limit=251')).status).toBe(200);
      else
        expect(await api('GET', '/executions?limit=251')).toEqual({
          status: 400,
          body: { message: 'request/query/limit must be <= 250' },
        });
      // 2.x lets an unknown parameter through on /executions; 1.x refuses it.
      const bogus = await api('GET', '/executions?bogus=1');
      if (twoX()) expect(bogus.status).toBe(200);
      else expect(bogus).toEqual({ status: 400, body: { message: "Unknown query parameter 'bogus'" } });
      // Soft: every error body that differs is reported in one run.
      expect.soft(await api('GET', '/executions?cursor=garbage')).toEqual({
        status: 400,
        body: { message: 'An invalid cursor was provided' },
      });
      const badStatus = await api('GET', '/executions?status=bogus');
      expect.soft(badStatus.status).toBe(400);
      expect
        .soft(badStatus.body.message)
        .toContain(twoX() ? 'request/query/status Invalid enum value' : 'must be equal to one of the allowed values');
      expect.soft(await api('GET', '/executions/abc')).toEqual({
        status: 400,
        body: {
          message: twoX()
            ? 'request/params/executionId must be a positive integer'
            : 'request/params/id must be number',
        },
      });
      expect.soft(await api('GET', '/executions/99999999')).toEqual({ status: 404, body: { message: 'Not Found' } });
    });

    it('retries a failed execution (a new one with retryOf), refuses a successful or unknown one', async () => {
      const failing = await workflow({ fail: true });
      const ok = await workflow();
      expect((await fire(failing.path)).status).toBe(500);
      expect((await fire(ok.path)).status).toBe(200);
      const [failed] = await runsOf(failing.id, 1);
      const [succeeded] = await runsOf(ok.id, 1);
      const retried = await api('POST', `/executions/${failed.id}/retry`);
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ mode: 'retry', status: 'error', finished: false });
      expect(String(retried.body.retryOf)).toBe(String(failed.id));
      expect(Number(retried.body.id)).toBeGreaterThan(Number(failed.id));
      const stored = await api('GET', `/executions/${retried.body.id}`);
      expect(stored.body).toMatchObject({ retryOf: String(failed.id), mode: 'retry' });
      expect(await api('POST', `/executions/${succeeded.id}/retry`)).toEqual({
        status: twoX() ? 409 : 400,
        body: { message: 'The execution succeeded, so it cannot be retried.' },
      });
      expect(await api('POST', '/executions/99999999/retry')).toEqual({
        status: 404,
        body: { message: 'The execution with the ID "99999999" does not exist.' },
      });
    });

    it('resumes a waiting execution once; a second resume is 409, an unknown one 404', async () => {
      const waiting = await workflow({ waitForResume: true });
      const before = await latestId();
      expect((await fire(waiting.path)).status).toBe(200);
      const parked = await waitingRunAfter(before, waiting.id);
      // 2.x resumes only a signed call: ?signature=<data.resumeToken> (401 without); 1.x has no token.
      const withData = await api('GET', `/executions/${parked.id}?includeData=true`);
      const token: unknown = withData.body.data?.resumeToken;
      let signed = '';
      if (twoX()) {
        expect(token).toEqual(expect.any(String));
        expect(await call('POST', `/webhook-waiting/${parked.id}`, { approved: true }, null)).toEqual({
          status: 401,
          body: { error: 'Invalid token' },
        });
        expect((await call('POST', `/webhook-waiting/${parked.id}?signature=wrong`, {}, null)).status).toBe(401);
        signed = `?signature=${String(token)}`;
      } else {
        expect(token).toBeUndefined();
      }
      const resumed = await call('POST', `/webhook-waiting/${parked.id}${signed}`, { approved: true }, null);
      expect(resumed).toEqual({ status: 200, body: { message: 'Workflow was started' } });
      const done = await until('the resumed run to finish', async () => {
        const e = await api('GET', `/executions/${parked.id}`);
        return e.body.status === 'success' ? e.body : undefined;
      });
      expect(done).toMatchObject({ finished: true, waitTill: null });
      const again = await call('POST', `/webhook-waiting/${parked.id}${signed}`, { approved: true }, null);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 409, message: expect.stringContaining('has finished already') });
      expect(await call('POST', '/webhook-waiting/99999999', {}, null)).toEqual({
        status: 404,
        body: { code: 404, message: 'The execution "99999999" does not exist.' },
      });
    });

    it('runs the published version: 2.x keeps a draft save apart until published; 1.x runs a save at once', async () => {
      const first = `spec-${unique()}`;
      const second = `spec-${unique()}`;
      const created = await api('POST', '/workflows', webhookWorkflow({ path: first, name: 'Versions' }));
      const id = String(created.body.id);
      const goLive = twoX() ? 'publish' : 'activate';
      const live = await api('POST', `/workflows/${id}/${goLive}`);
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ active: true, activeVersionId: created.body.versionId });
      await untilRegistered(first);

      // As n8n's editor saves (2.x's public API re-publishes a live workflow unless told not to).
      const draftOnly = twoX() ? '?publishIfActive=false' : '';
      const edited = await api(
        'PUT',
        `/workflows/${id}${draftOnly}`,
        webhookWorkflow({ path: second, name: 'Versions' }),
      );
      expect(edited.status).toBe(200);
      const read = await api('GET', `/workflows/${id}`);
      // The public GET answers the saved version; activeVersion is what runs.
      expect(read.body.nodes).toEqual(edited.body.nodes);
      if (twoX()) {
        expect(read.body).toMatchObject({ active: true, activeVersionId: created.body.versionId });
        expect(read.body.activeVersion).toMatchObject({ versionId: created.body.versionId, nodes: created.body.nodes });
        expect(await registered(first)).toBe(true); // the draft is not served…
        expect(await registered(second)).toBe(false);
        expect(await api('DELETE', `/workflows/${id}`)).toMatchObject({ status: 409 }); // …nor a published one deleted
        expect((await api('POST', `/workflows/${id}/publish`)).body).toMatchObject({
          activeVersionId: edited.body.versionId,
        });
        await untilRegistered(second);
        await untilRegistered(first, false);
        expect((await api('POST', `/workflows/${id}/unpublish`)).body).toMatchObject({ active: false });
        // n8n takes the webhooks down a moment after /unpublish answers: 409 to a delete meanwhile.
        await until('the unpublished workflow to be deletable', async () =>
          (await api('DELETE', `/workflows/${id}`)).status === 200 ? true : undefined,
        );
      } else {
        expect(read.body).toMatchObject({ active: true });
        await untilRegistered(second); // an active workflow runs what was saved
        await untilRegistered(first, false);
        expect((await api('POST', `/workflows/${id}/deactivate`)).body).toMatchObject({ active: false });
        expect((await api('DELETE', `/workflows/${id}`)).status).toBe(200);
      }
    });

    it('answers the health probe (a GET no workflow serves) with its JSON 404 and starts no run', async () => {
      const before = await latestId();
      const probe = await call('GET', `/webhook/${PROBE_PATH}`, undefined, null);
      expect(probe).toMatchObject({
        status: 404,
        body: { code: 404, message: `The requested webhook "GET ${PROBE_PATH}" is not registered.` },
      });
      // Ids grow: a run the probe started would come before the next one.
      const marker = await workflow();
      expect((await fire(marker.path)).status).toBe(200);
      const [next] = await runsOf(marker.id, 1);
      expect(Number(next.id)).toBe(before + 1);
    });

    it('deletes an execution once', async () => {
      const wf = await workflow();
      expect((await fire(wf.path)).status).toBe(200);
      const [run] = await runsOf(wf.id, 1);
      const deleted = await api('DELETE', `/executions/${run.id}`);
      expect(deleted.status).toBe(200);
      expect(String(deleted.body.id)).toBe(String(run.id));
      expect(await api('DELETE', `/executions/${run.id}`)).toEqual({ status: 404, body: { message: 'Not Found' } });
    });

    it('creates tags once and sets a workflow’s tags; unknown tags are 404', async () => {
      const wf = await workflow({}, false);
      const name = `spec-${unique()}`;
      const tag = await api('POST', '/tags', { name });
      expect(tag.status).toBe(201);
      expect(tag.body).toMatchObject({ name, id: expect.any(String) });
      expect(await api('POST', '/tags', { name })).toEqual({ status: 409, body: { message: 'Tag already exists' } });
      const set = await api('PUT', `/workflows/${wf.id}/tags`, [{ id: tag.body.id }]);
      expect(set.status).toBe(200);
      expect(set.body.map((x: { name: string }) => x.name)).toEqual([name]);
      expect((await api('GET', `/workflows/${wf.id}`)).body.tags.map((x: { id: string }) => x.id)).toEqual([
        tag.body.id,
      ]);
      expect(await api('PUT', `/workflows/${wf.id}/tags`, [{ id: 'nope' }])).toEqual({
        status: 404,
        body: { message: 'Some tags not found' },
      });
      const listed = await api('GET', '/tags?limit=250');
      expect(listed.body.data.map((x: { name: string }) => x.name)).toContain(name);
    });

    /** Fires a webhook with extra request headers (what the dispatcher's mark looks like to n8n). */
    async function fireWith(path: string, body: unknown, headers: Record<string, string>): Promise<Reply<any>> {
      const res = await fetch(`${t().baseUrl}/webhook/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: res.status, body: parsed };
    }
    const resume = (id: string | number, method = 'POST') =>
      call<any>(method, `/webhook-waiting/${id}`, method === 'GET' ? undefined : { approved: true }, null);
    /** 2.x signs its resume URLs (a bare /webhook-waiting/<id> answers 401): resumes are checked on 1.x. */
    const unsignedResumes = () => Number(t().version.split('.')[0]) < 2;

    it('keeps the request in the Webhook node’s output and a waiting run’s Wait node on top of its stack', async () => {
      const waiting = await workflow({ waitForResume: true, name: 'Spec wait' });
      const mark = unique();
      const before = await latestId();
      expect(await fireWith(waiting.path, { amount: 7 }, { 'x-spec-mark': mark })).toEqual({
        status: 200,
        body: { message: 'Workflow was started' },
      });
      const parked = await waitingRunAfter(before, waiting.id);
      const detail = (await api('GET', `/executions/${parked.id}?includeData=true`)).body;
      const [hook] = detail.data.resultData.runData.Webhook;
      expect(hook.data.main[0][0].json).toMatchObject({ headers: { 'x-spec-mark': mark }, body: { amount: 7 } });
      expect(detail.data.resultData.lastNodeExecuted).toBe('Wait');
      const [top] = detail.data.executionData.nodeExecutionStack;
      expect(top.node).toMatchObject({
        name: 'Wait',
        type: 'n8n-nodes-base.wait',
        parameters: { resume: 'webhook', httpMethod: 'POST' },
      });
      // The item the Wait node holds is what the Set node before it made.
      expect(top.data.main[0][0].json).toEqual({ received: { amount: 7 } });
      expect(detail.workflowData).toMatchObject({ id: waiting.id, name: 'Spec wait' });
      expect(detail.workflowData.nodes.map((n: { name: string }) => n.name)).toContain('Wait');
      // A finished run keeps the request too.
      const ok = await workflow();
      expect((await fireWith(ok.path, { n: 1 }, { 'x-spec-mark': mark })).status).toBe(200);
      const [done] = await runsOf(ok.id, 1);
      const doneDetail = (await api('GET', `/executions/${done.id}?includeData=true`)).body;
      expect(doneDetail.data.resultData.runData.Webhook[0].data.main[0][0].json.headers['x-spec-mark']).toBe(mark);
    });

    it('keeps a run with a short timed wait in memory: running, left out of the list but under status=running', async () => {
      const busy = await workflow({ waitSeconds: 60 });
      const mark = unique();
      const before = await latestId();
      expect(await fireWith(busy.path, {}, { 'x-spec-mark': mark })).toEqual({
        status: 200,
        body: { message: 'Workflow was started' },
      });
      const found = await waitingRunAfter(before, busy.id);
      const run = await until('the run to be running', async () => {
        const e = await api('GET', `/executions/${found.id}`);
        return e.body.status === 'running' ? e.body : undefined;
      });
      expect(run).toMatchObject({ finished: false, stoppedAt: null });
      expect((await api('GET', `/executions?workflowId=${busy.id}`)).body.data).toEqual([]);
      const listed = await api('GET', `/executions?workflowId=${busy.id}&status=running`);
      expect(listed.body.data.map((e: { id: unknown }) => String(e.id))).toEqual([String(found.id)]);
      // Nothing is saved but the trigger's item on the stack, which carries the request.
      const detail = (await api('GET', `/executions/${found.id}?includeData=true`)).body;
      const [top] = detail.data.executionData.nodeExecutionStack;
      expect(top.node.name).toBe('Webhook');
      expect(top.data.main[0][0].json.headers['x-spec-mark']).toBe(mark);
      if (unsignedResumes()) {
        expect(await resume(found.id)).toEqual({
          status: 409,
          body: { code: 409, message: `The execution "${found.id}" is running already.` },
        });
      }
    });

    it('parks a run with a long timed wait as waiting until its time; no webhook resumes it', async () => {
      const timed = await workflow({ waitSeconds: 600 });
      const before = await latestId();
      const firedAt = Date.now();
      expect((await fire(timed.path)).status).toBe(200);
      const parked = await waitingRunAfter(before, timed.id);
      const settled = await until('the run to be parked', async () => {
        const e = await api('GET', `/executions/${parked.id}?includeData=true`);
        return e.body.status === 'waiting' ? e.body : undefined;
      });
      const waitTill = Date.parse(settled.waitTill);
      expect(waitTill).toBeGreaterThan(firedAt + 590_000);
      expect(waitTill).toBeLessThan(Date.now() + 610_000);
      expect(settled.data.executionData.nodeExecutionStack[0].node.parameters).toMatchObject({
        resume: 'timeInterval',
      });
      if (unsignedResumes()) {
        expect(await resume(parked.id)).toEqual({
          status: 404,
          body: {
            code: 404,
            message: `The workflow for execution "${parked.id}" does not contain a waiting webhook with a matching path/method.`,
          },
        });
      }
    });

    it('resumes a wait only on its own method, and never a failed run', async () => {
      if (!unsignedResumes()) return;
      const onGet = await workflow({ waitForResume: true, waitMethod: 'GET' });
      const failing = await workflow({ fail: true });
      const before = await latestId();
      expect((await fire(onGet.path)).status).toBe(200);
      const parked = await waitingRunAfter(before, onGet.id);
      expect(await resume(parked.id, 'POST')).toEqual({
        status: 404,
        body: {
          code: 404,
          message: `The workflow for execution "${parked.id}" does not contain a waiting webhook with a matching path/method.`,
        },
      });
      expect((await api('GET', `/executions/${parked.id}`)).body.status).toBe('waiting');
      expect((await fire(failing.path)).status).toBe(500);
      const [failed] = await runsOf(failing.id, 1);
      expect(await resume(failed.id)).toEqual({
        status: 409,
        body: { code: 409, message: `The execution "${failed.id}" has finished with error.` },
      });
    });

    it('lets a Respond to Webhook node answer: its status code and a body naming the execution', async () => {
      const naming = await workflow({ respond: {}, waitForResume: true });
      const named = await fire(naming.path, { n: 1 });
      expect(named).toEqual({ status: 200, body: { executionId: expect.stringMatching(/^\d+$/) } });
      const parked = await until('the named execution', async () => {
        const e = await api('GET', `/executions/${named.body.executionId}`);
        return e.status === 200 && e.body.status === 'waiting' ? e.body : undefined;
      });
      expect(String(parked.workflowId)).toBe(naming.id);
      const refusing = await workflow({ respond: { status: 422 } });
      const refused = await fire(refusing.path, { n: 2 });
      expect(refused).toEqual({ status: 422, body: { executionId: expect.stringMatching(/^\d+$/) } });
      // The answer is the workflow's; the run itself succeeded.
      const [run] = await runsOf(refusing.id, 1);
      expect(String(run.id)).toBe(refused.body.executionId);
      expect(run.status).toBe('success');
    });

    it('pages executions by id: a run started between two pages does not shift the next page', async () => {
      const wf = await workflow();
      for (let i = 0; i < 3; i++) expect((await fire(wf.path, { i })).status).toBe(200);
      const before = await runsOf(wf.id, 3);
      const first = await api('GET', `/executions?workflowId=${wf.id}&limit=1`);
      expect(first.body.data.map((e: { id: unknown }) => String(e.id))).toEqual([String(before[0].id)]);
      expect((await fire(wf.path, { i: 3 })).status).toBe(200);
      await runsOf(wf.id, 4);
      const rest: string[] = [];
      let cursor: string | null = first.body.nextCursor;
      while (cursor) {
        const page: Reply<any> = await api('GET', `/executions?workflowId=${wf.id}&limit=1&cursor=${cursor}`);
        rest.push(...page.body.data.map((e: { id: unknown }) => String(e.id)));
        cursor = page.body.nextCursor;
      }
      expect(rest).toEqual(before.slice(1).map((e) => String(e.id)));
    });

    it('refuses variables without the licence feature (403), as a community n8n does', async () => {
      for (const [method, body] of [
        ['GET', undefined],
        ['POST', { key: 'a', value: 'b' }],
      ] as const) {
        const refused = await api(method, '/variables', body);
        expect(refused.status).toBe(403);
        expect(refused.body.message).toContain('Your license does not allow for feat:variables');
      }
    });

    it('lists credentials by name and type without secrets (2.x), or names them in the security audit (1.x)', async () => {
      const name = `Spec cred ${unique()}`;
      const secret = `s3cret-${unique()}`;
      const created = await api('POST', '/credentials', {
        name,
        type: 'httpHeaderAuth',
        data: { name: 'X-Api-Key', value: secret },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body).toMatchObject({ name, type: 'httpHeaderAuth' });
      expect(JSON.stringify(created.body)).not.toContain(secret);
      const id = String(created.body.id);
      try {
        const listed = await api('GET', '/credentials?limit=250');
        if (twoX()) {
          expect(listed.status).toBe(200);
          expect(listed.body).toHaveProperty('nextCursor');
          expect(listed.body.data.find((c: { id: string }) => String(c.id) === id)).toMatchObject({
            name,
            type: 'httpHeaderAuth',
          });
          expect(JSON.stringify(listed.body)).not.toContain(secret);
        } else {
          // 1.123's public API has no list of credentials: its validator refuses the method.
          expect(listed.status).toBe(405);
          expect(listed.body.message).toBe('GET method not allowed');
        }
        // 1.x: the security audit names every credential (with its id) in one of its sections.
        // 2.41.1 answered this call 500 "Internal server error" (seen live): the console reads
        // credentials with GET /credentials there and takes the audit as optional.
        if (!twoX()) {
          const audit = await api('POST', '/audit', { additionalOptions: { categories: ['credentials'] } });
          expect(audit.status, JSON.stringify(audit.body)).toBe(200);
          const report = Object.values(audit.body as Record<string, { sections: { location: any[] }[] }>);
          const named = report.flatMap((r) => r.sections.flatMap((section) => section.location));
          expect(named).toContainEqual(expect.objectContaining({ kind: 'credential', id, name }));
          expect(JSON.stringify(audit.body)).not.toContain(secret);
        }
      } finally {
        expect((await api('DELETE', `/credentials/${id}`)).status).toBe(200);
      }
    });
  });
}
