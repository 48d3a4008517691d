import { describe, expect, it } from 'vitest';
import { resumableByDecision, summarizeFields, waitInfoOf } from './waiting-item';

describe('inbox titles from an item', () => {
  it.each([
    [{ amount: 42, customer: 'ana' }, 'amount: 42, customer: ana'],
    [{ received: { amount: 42, note: 'a\n  b' } }, 'amount: 42, note: a b'],
    [{ headers: { host: 'x' }, body: { order: 7 } }, 'order: 7'],
    [{ items: [1, 2, 3] }, 'items: 3 items'],
    ['just text', 'just text'],
    [null, 'null'],
    [{}, ''],
  ])('%j → %s', (item, title) => {
    expect(summarizeFields(item)).toBe(title);
  });

  it('stays short', () => {
    const long = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, 'x'.repeat(30)]));
    expect(summarizeFields(long).length).toBeLessThanOrEqual(100);
  });
});

describe('what a waiting execution waits on', () => {
  const waiting = (
    parameters: Record<string, unknown>,
    type = 'n8n-nodes-base.wait',
    item: unknown = { amount: 1 },
  ) => ({
    status: 'waiting',
    waitTill: null,
    data: {
      resultData: { runData: {}, lastNodeExecuted: 'Wait' },
      executionData: {
        nodeExecutionStack: [{ node: { name: 'Wait', type, parameters }, data: { main: [[{ json: item }]] } }],
      },
    },
    workflowData: { name: 'Refunds' },
  });

  it('reads the node, how it resumes and the item it holds', () => {
    expect(waitInfoOf(waiting({ resume: 'webhook', httpMethod: 'POST', options: { webhookSuffix: 'ok' } }))).toEqual({
      node: 'Wait',
      nodeType: 'n8n-nodes-base.wait',
      resume: 'webhook',
      httpMethod: 'POST',
      suffix: 'ok',
      workflowName: 'Refunds',
      item: { amount: 1 },
      waitTillMs: null,
    });
  });

  it("drops a Webhook node's request headers from the item (they may carry credentials)", () => {
    const hook = waiting({ resume: 'webhook', httpMethod: 'POST' }, undefined, {
      headers: { authorization: 'Bearer s3cret' },
      body: { amount: 1 },
      query: {},
    });
    expect(waitInfoOf(hook)?.item).toEqual({ body: { amount: 1 }, query: {} });
  });

  it('only POST webhook waits can be decided here', () => {
    expect(resumableByDecision(waitInfoOf(waiting({ resume: 'webhook', httpMethod: 'POST' })))).toBe(true);
    expect(resumableByDecision(waitInfoOf(waiting({ resume: 'webhook', httpMethod: 'GET' })))).toBe(false);
    expect(resumableByDecision(waitInfoOf(waiting({ resume: 'timeInterval', amount: 5 })))).toBe(false);
    expect(resumableByDecision(waitInfoOf(waiting({ operation: 'sendAndWait' }, 'n8n-nodes-base.slack')))).toBe(false);
    expect(waitInfoOf({ status: 'waiting', waitTill: null, data: 'nothing' })).toBeNull();
  });
});
