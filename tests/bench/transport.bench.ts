import { it } from 'vitest';
import WebSocket from 'ws';
import { startHost } from '../../src/main/host/host';
import { silentLogger } from '../../src/main/core/logger';
import { testCore } from '../../src/main/core/testing/test-core';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../src/shared/wire';
import { percentile, report, throughput } from './report';

// What the WebSocket transport adds to a contract call, against calling the core in-process.
it('contract call: WebSocket transport vs in-process', async () => {
  const t = testCore({ checkOutputs: false }); // measured: no output checks
  const host = await startHost({
    core: t.core,
    rendererDir: '/nonexistent',
    port: 0,
    token: 'bench',
    logger: silentLogger,
    // The per-connection call rate would otherwise measure refusals, not the transport.
    limits: { callsPerSecond: Infinity, callBurst: Infinity },
  });
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WS_PATH}`, [WS_PROTOCOL, WS_TOKEN_PREFIX + 'bench']);
  await new Promise((resolve) => ws.once('open', resolve));
  const waiting = new Map<number, () => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { id: number };
    waiting.get(frame.id)?.();
    waiting.delete(frame.id);
  });
  let id = 0;
  const overWs = () =>
    new Promise<void>((resolve) => {
      const my = ++id;
      waiting.set(my, resolve);
      ws.send(JSON.stringify({ type: 'call', id: my, channel: 'settings:get', input: {} }));
    });

  const N = 20_000;
  await throughput(2_000, 8, () => t.core.invoke('settings:get', {})); // warm up
  await throughput(2_000, 8, overWs);
  const direct = await throughput(N, 8, () => t.core.invoke('settings:get', {}));
  const viaWs = await throughput(N, 8, overWs);
  const latencies: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const start = performance.now();
    await overWs();
    latencies.push(performance.now() - start);
  }
  report('Contract transport (settings:get, 8 in flight)', [
    { name: 'in-process core.invoke', value: direct, unit: 'calls/s' },
    { name: 'over WebSocket', value: viaWs, unit: 'calls/s', baseline: { name: 'in-process', value: direct } },
    { name: 'WebSocket round trip p50', value: percentile(latencies, 50), unit: 'ms' },
    { name: 'WebSocket round trip p95', value: percentile(latencies, 95), unit: 'ms' },
  ]);
  ws.close();
  await host.close();
  await t.cleanup();
});
