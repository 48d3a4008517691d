import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../../shared/contract';
import { sortKeyOf } from '../../../shared/execution-order';
import { mergeLive, type ListWindow } from './live-rows';

const run = (id: number, over: Partial<ExecutionSummary> = {}): ExecutionSummary => ({
  id,
  source: 'local',
  instanceId: 'i1',
  workflowId: 'w1',
  workflowName: 'Orders',
  event: 'order.created',
  mappingId: 'm1',
  mappingName: 'New orders',
  remoteId: null,
  status: 'queued',
  mode: null,
  retryOf: null,
  retryOfRun: null,
  retryKind: null,
  supersededByRun: null,
  error: null,
  createdAtMs: id * 1000,
  startedAtMs: null,
  finishedAtMs: null,
  durationMs: null,
  unconfirmedAtMs: null,
  ...over,
});

const top: ListWindow = { sort: 'created', direction: 'desc', filter: {}, startKey: null, endKey: null };
const ids = (rows: ExecutionSummary[]) => rows.map((e) => e.id);

describe('mergeLive', () => {
  it('puts a new run at the top and updates a known one in place', () => {
    const current = [run(3), run(2), run(1)];
    const { rows, refetch } = mergeLive(current, [run(4), run(2, { status: 'succeeded' })], top);
    expect(ids(rows)).toEqual([4, 3, 2, 1]);
    expect(rows[2]?.status).toBe('succeeded');
    expect(refetch).toBe(false);
  });

  it('leaves out runs outside the filter, and drops a shown run that leaves it', () => {
    const current = [run(3, { status: 'running' }), run(2, { status: 'running' })];
    const w = { ...top, filter: { status: ['running' as const], event: 'order.created' } };
    const { rows } = mergeLive(
      current,
      [run(5, { status: 'running', event: 'refund.requested' }), run(4), run(3, { status: 'succeeded' })],
      w,
    );
    expect(ids(rows)).toEqual([2]);
  });

  it('keeps to the loaded window: nothing past the last loaded row, nothing before a jump', () => {
    const current = [run(8), run(6), run(5)];
    const w: ListWindow = { ...top, startKey: sortKeyOf(run(8), 'created'), endKey: sortKeyOf(run(5), 'created') };
    // 9 is newer than the jump, 7 falls inside, 3 belongs to a page not loaded yet.
    const { rows } = mergeLive(current, [run(9), run(7), run(3)], w);
    expect(ids(rows)).toEqual([8, 7, 6, 5]);
  });

  it('moves a row whose sort key changed, and out of the window when it passes the end', () => {
    const w: ListWindow = { sort: 'duration', direction: 'desc', filter: {}, startKey: null, endKey: null };
    const current = [run(1, { durationMs: 900 }), run(2, { durationMs: 500 }), run(3)];
    expect(ids(mergeLive(current, [run(3, { durationMs: 700 })], w).rows)).toEqual([1, 3, 2]);
    const paged = { ...w, endKey: sortKeyOf(current[1]!, 'duration') };
    expect(ids(mergeLive(current.slice(0, 2), [run(1, { durationMs: 100 })], paged).rows)).toEqual([2]);
  });

  it('asks for a reload when a search decides, rather than guessing', () => {
    const { rows, refetch } = mergeLive([run(1)], [run(2), run(1, { status: 'failed' })], {
      ...top,
      filter: { search: 'refund' },
    });
    expect(ids(rows)).toEqual([1]);
    expect(rows[0]?.status).toBe('failed');
    expect(refetch).toBe(true);
  });
});
