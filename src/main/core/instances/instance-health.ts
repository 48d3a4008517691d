/**
 * Whether each n8n instance answers, from every signal: dispatch outcomes (at once), the sync
 * (every minute), and a light probe (`GET <base>/webhook/<probe path>`, every few seconds while
 * down with backoff, and now and then while up). An outage shows within seconds, and so does the
 * recovery. Listeners hear every change inside the transaction that records it: the queue's hold
 * on the instance's runs moves with its health, never apart from it.
 */
import type { InstanceHealth } from '../../../shared/contract';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { systemTimers, type Timers } from '../timers';
import type { InstancesService } from './instances-service';

export type HealthSource = 'dispatch' | 'sync' | 'probe';

/** What one signal says: n8n answered, or it did not (why). */
export type HealthSignal = { up: true } | { up: false; reason: string };

/** A probe's question: does this base URL answer like an n8n that takes webhooks? */
export type HealthProbe = (baseUrl: string, timeoutMs: number) => Promise<HealthSignal>;

export interface HealthOptions {
  /** Between probes while an instance is up, ms. Default 15 000. */
  upIntervalMs?: number;
  /** First probe after an instance went down, ms; doubled per failed probe. Default 1 000. */
  downBaseMs?: number;
  /** Longest wait between probes while down, ms. Default 30 000. */
  downMaxMs?: number;
  /** One probe's time limit, ms. Default 5 000. */
  timeoutMs?: number;
  /** How to probe (tests inject their own). Default: probeWebhooks over undici. */
  probe?: HealthProbe;
  timers?: Timers;
}

/** Told of each change of an instance's health, inside the transaction that records it. */
export type HealthListener = (announce: Announce, instanceId: string, health: InstanceHealth) => void;

interface Row {
  instance_id: string;
  state: 'up' | 'down';
  since_ms: number;
  reason: string | null;
  source: HealthSource;
  checked_at_ms: number;
}

const UNKNOWN: InstanceHealth = { state: 'unknown', sinceMs: null, reason: null, source: null, checkedAtMs: null };

const toHealth = (r: Row): InstanceHealth => ({
  state: r.state,
  sinceMs: r.since_ms,
  reason: r.reason,
  source: r.source,
  checkedAtMs: r.checked_at_ms,
});

export function createInstanceHealth(ctx: CoreContext, instances: InstancesService, options: HealthOptions) {
  const { db } = ctx.store;
  const now = () => ctx.clock.now();
  const timers = options.timers ?? systemTimers;
  const upIntervalMs = options.upIntervalMs ?? 15_000;
  const downBaseMs = options.downBaseMs ?? 1_000;
  const downMaxMs = options.downMaxMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const probe = options.probe;

  const selectOne = db.prepare('SELECT * FROM instance_health WHERE instance_id = ?');
  const upsert = db.prepare(`INSERT INTO instance_health (instance_id, state, since_ms, reason, source, checked_at_ms)
    VALUES (@id, @state, @since, @reason, @source, @now)
    ON CONFLICT (instance_id) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms,
      reason = excluded.reason, source = excluded.source, checked_at_ms = excluded.checked_at_ms`);

  /** The last state per instance, so the signal of every dispatch costs no write when nothing changed. */
  const known = new Map<string, InstanceHealth>();
  const listeners = new Set<HealthListener>();
  const timersById = new Map<string, unknown>();
  const failedProbes = new Map<string, number>();
  const probing = new Set<string>();
  let running = false;

  function get(instanceId: string): InstanceHealth {
    const cached = known.get(instanceId);
    if (cached) return cached;
    const row = selectOne.get(instanceId) as Row | undefined;
    const health = row ? toHealth(row) : UNKNOWN;
    known.set(instanceId, health);
    return health;
  }

  /** Records a signal inside the caller's transaction; listeners hear changes there too. */
  function record(announce: Announce, instanceId: string, source: HealthSource, signal: HealthSignal): void {
    const before = get(instanceId);
    const state = signal.up ? 'up' : 'down';
    const reason = signal.up ? null : signal.reason;
    const changed = before.state !== state;
    // Up after up costs nothing; down after down only refreshes the reason (shown to operators).
    if (!changed && (state === 'up' || before.reason === reason)) return;
    if (!instances.find(instanceId)) return; // removed meanwhile
    const t = now();
    const health: InstanceHealth = {
      state,
      sinceMs: changed ? t : before.sinceMs,
      reason,
      source,
      checkedAtMs: t,
    };
    upsert.run({ id: instanceId, state, since: health.sinceMs, reason, source, now: t });
    known.set(instanceId, health);
    if (changed) {
      for (const listener of listeners) listener(announce, instanceId, health);
      // Down: probe soon and back off; up: back to the regular pace. (A probe in flight reschedules itself.)
      if (!probing.has(instanceId)) {
        if (state === 'down') failedProbes.set(instanceId, 0);
        scheduleProbe(instanceId, state === 'down' ? downBaseMs : upIntervalMs);
      }
    }
    announce('instances:changed', instances.get(instanceId));
  }

  function scheduleProbe(instanceId: string, delayMs: number): void {
    if (!running || !probe) return;
    const pending = timersById.get(instanceId);
    if (pending !== undefined) timers.clearTimeout(pending);
    timersById.set(
      instanceId,
      timers.setTimeout(() => {
        timersById.delete(instanceId);
        void probeOnce(instanceId);
      }, delayMs),
    );
  }

  function nextProbeDelay(instanceId: string): number {
    if (get(instanceId).state !== 'down') return upIntervalMs;
    const failures = failedProbes.get(instanceId) ?? 0;
    return Math.min(downMaxMs, downBaseMs * 2 ** failures);
  }

  async function probeOnce(instanceId: string): Promise<void> {
    if (!probe || probing.has(instanceId)) return;
    const instance = instances.find(instanceId);
    if (!instance) return;
    probing.add(instanceId);
    const startedAtMs = now();
    try {
      const signal = await probe(instance.baseUrl, timeoutMs).catch((error: unknown): HealthSignal => ({
        up: false,
        reason: `the probe failed: ${(error as Error).message}`,
      }));
      if (!running) return;
      // An answer to a probe sent before the outage began says nothing about n8n now.
      const current = get(instanceId);
      if (signal.up && current.state === 'down' && (current.sinceMs ?? 0) > startedAtMs) return;
      if (signal.up) failedProbes.delete(instanceId);
      else failedProbes.set(instanceId, (failedProbes.get(instanceId) ?? 0) + 1);
      ctx.store.write((announce) => record(announce, instanceId, 'probe', signal));
    } catch (error) {
      ctx.logger.warn('Instance health probe failed to record', { instanceId, error });
    } finally {
      probing.delete(instanceId);
      scheduleProbe(instanceId, nextProbeDelay(instanceId));
    }
  }

  const offSync = instances.onSyncState((announce, id, state, error) => {
    record(
      announce,
      id,
      'sync',
      state === 'ok' ? { up: true } : { up: false, reason: error ?? 'the sync could not reach n8n' },
    );
  });

  return {
    get,
    /**
     * A signal from outside (the dispatcher): recorded in its own transaction, or the caller's when
     * given its `announce`. A down signal asks for a probe soon.
     */
    report(
      instanceId: string,
      source: HealthSource,
      signal: HealthSignal,
      options: { announce?: Announce; startedAtMs?: number } = {},
    ): void {
      const { announce, startedAtMs } = options;
      const current = get(instanceId);
      const before = current.state;
      if (before === 'up' && signal.up) return; // the hot path: nothing to write
      // A late answer to a request sent before the outage began says nothing about n8n now.
      if (signal.up && before === 'down' && startedAtMs !== undefined && startedAtMs < (current.sinceMs ?? 0)) return;
      if (announce) record(announce, instanceId, source, signal);
      else ctx.store.write((a) => record(a, instanceId, source, signal));
    },
    /** Asks for a probe of the instance soon (a suspicious answer, say a 502). */
    probeSoon(instanceId: string): void {
      if (!timersById.has(instanceId) || get(instanceId).state !== 'down') scheduleProbe(instanceId, 0);
    },
    /** Probes now and resolves with the recorded outcome (tests, "check now"). */
    async probeNow(instanceId: string): Promise<InstanceHealth> {
      await probeOnce(instanceId);
      return get(instanceId);
    },
    onChange(listener: HealthListener): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** Forgets an instance (removed). */
    forget(instanceId: string): void {
      known.delete(instanceId);
      const pending = timersById.get(instanceId);
      if (pending !== undefined) timers.clearTimeout(pending);
      timersById.delete(instanceId);
    },
    start(): void {
      running = true;
      // Instances already known down are probed at once; the others at the regular pace.
      instances.list().forEach((instance, i) => {
        const down = get(instance.id).state === 'down';
        scheduleProbe(instance.id, down ? 0 : Math.min(upIntervalMs, 1_000 + 250 * i));
      });
    },
    stop(): void {
      running = false;
      offSync();
      for (const handle of timersById.values()) timers.clearTimeout(handle);
      timersById.clear();
    },
  };
}

export type InstanceHealthMonitor = ReturnType<typeof createInstanceHealth>;
