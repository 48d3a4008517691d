import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, CALL_CHANNELS } from '../../src/shared/contract';
import { contractHint } from './contract-hints';
import { createContractWorld, describeInput, FuzzFailure, type ContractWorld } from './contract-world';
import { budget, checkProperty, FUZZ_SEED, fuzzParameters, replayHint } from './fuzz-config';
import { hostileValue } from './hostile';
import { inputArbitrary } from './zod-arbitrary';

/**
 * Every contract channel, fuzzed with inputs derived from its own input schema (valid-ish,
 * broken on purpose, or wholly hostile), through a real core on a seeded temp store. Each call
 * must answer a Result; a refusal must carry a stable code other than INTERNAL and change no row;
 * a success must match the declared output schema. The store must pass its integrity checks after.
 */

const FILE = 'tests/fuzz/contract-channels.test.ts';
/** Cases per channel, and the time each channel may take, so that the whole part stays near 30 s. */
const RUNS_PER_CHANNEL = 40;
const TIME_PER_CHANNEL_MS = 220;

let world: ContractWorld;
/** Outcomes per channel (ok, or the refusal's code), printed at the end. */
const outcomes: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  console.log(`contract fuzz: seed ${FUZZ_SEED} — replay with ${replayHint(FILE)}`);
  world = await createContractWorld();
}, 120_000);

afterAll(async () => {
  const total = Object.values(outcomes).reduce((n, o) => n + Object.values(o).reduce((a, b) => a + b, 0), 0);
  console.log(`contract fuzz: ${total} calls over ${Object.keys(outcomes).length} channels`);
  // Channels that never accepted a generated input are only exercising their refusals: worth a hint.
  const neverOk = Object.entries(outcomes)
    .filter(([, o]) => !o.ok)
    .map(([c, o]) => `${c} ${JSON.stringify(o)}`);
  if (neverOk.length > 0) console.log(`never answered ok:\n  ${neverOk.join('\n  ')}`);
  if (process.env.FLIGHTDECK_FUZZ_VERBOSE) console.table(outcomes);
  await world?.close();
});

/** Extra invariants of single channels, beyond "a clear answer that changes nothing when refused". */
async function channelInvariants(channel: string, input: unknown, ok: boolean): Promise<void> {
  if (channel === 'backups:read' && ok) {
    // Reading is for backup files the console lists: anything else would be a way to read any file.
    const listed = await world.core.invoke('backups:list', {});
    const path = (input as { path: string }).path;
    const files = listed.ok ? (listed.data as { files: { path: string }[] }).files.map((f) => f.path) : [];
    if (!files.includes(path)) throw new FuzzFailure(`backups:read returned a file it does not list: ${path}`);
  }
}

describe('every contract channel answers hostile input with a clear Result', () => {
  CALL_CHANNELS.forEach((channel, index) => {
    it(channel, async () => {
      await world.replenish();
      const seen: Record<string, number> = (outcomes[channel] = {});
      const time = budget(TIME_PER_CHANNEL_MS);
      const property = fc.asyncProperty(
        inputArbitrary(calls[channel].input, contractHint(channel, world)),
        async (value) => {
          if (!time.spend()) return;
          try {
            const { result } = await world.check(channel, value);
            const label = result.ok ? 'ok' : result.error.code;
            seen[label] = (seen[label] ?? 0) + 1;
            await channelInvariants(channel, value, result.ok);
          } catch (error) {
            time.failed();
            throw error;
          }
        },
      );
      await checkProperty(
        property,
        fuzzParameters(index, RUNS_PER_CHANNEL),
        (v) => describeInput(v),
        `${replayHint(FILE)} -t '${channel}'`,
      );
      expect(time.runs).toBeGreaterThan(0);
    });
  });

  it('an unknown channel or a hostile channel name is refused as UNKNOWN_CHANNEL', async () => {
    const names = fc.oneof(
      fc.string(),
      hostileValue(),
      fc.constantFrom('app:status ', 'APP:STATUS', '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
    );
    const property = fc.asyncProperty(fc.tuple(names, fc.jsonValue({ maxDepth: 2 })), async ([name, input]) => {
      if (typeof name === 'string' && (CALL_CHANNELS as readonly string[]).includes(name)) return;
      const result = await world.core.invoke(name, input);
      if (result.ok || result.error.code !== 'UNKNOWN_CHANNEL')
        throw new FuzzFailure(`channel ${describeInput(name)} answered ${describeInput(result)}`);
    });
    await checkProperty(property, fuzzParameters(CALL_CHANNELS.length, 100), (v) => describeInput(v), replayHint(FILE));
  });

  it('leaves a sound store and a live core behind', async () => {
    const { integrity, foreignKeys } = world.probe.integrity();
    expect(integrity).toEqual(['ok']);
    expect(foreignKeys).toEqual([]);
    const status = await world.core.invoke('app:status', {});
    expect(status).toMatchObject({ ok: true, data: { state: 'ready' } });
  });
});
