/**
 * The process the ingest crash test kills: a console with its signed HTTP door on a free port,
 * one instance at the test's loopback webhook and one mapping for `crash.event`. Prints the door's
 * URL as one JSON line, then serves until killed. Bundled by the test with Vite and run with node.
 *
 * argv: <dataDir> <webhookBaseUrl>
 */
import { systemClock } from '../clock';
import { createCore } from '../create-core';

async function main(): Promise<void> {
  const [dataDir, webhookUrl] = process.argv.slice(2);
  if (!dataDir || !webhookUrl) throw new Error('usage: <dataDir> <webhookBaseUrl>');
  const core = createCore({ dataDir, clock: systemClock, ingestPort: 0, linker: { intervalMs: 3_600_000 } });
  const instance = await core.call('instances:add', {
    name: 'crash',
    baseUrl: webhookUrl,
    apiKey: 'crash-key-123456',
    environment: 'test',
    color: '#2f6fed',
    syncEnabled: false,
  });
  if (!instance.ok) throw new Error(JSON.stringify(instance.error));
  const mapping = await core.call('mappings:create', {
    mapping: { event: 'crash.event', instanceId: instance.data.id, webhookPath: 'crash' },
  });
  if (!mapping.ok) throw new Error(JSON.stringify(mapping.error));
  const info = await core.call('ingest:info', {});
  if (!info.ok || !info.data.url) throw new Error(`no ingest door: ${JSON.stringify(info)}`);
  console.log(JSON.stringify({ pid: process.pid, url: info.data.url }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
