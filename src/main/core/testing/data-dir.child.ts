/**
 * The process data-dir.test.ts starts, kills and restarts: a whole core on a data folder, as the
 * headless host opens it. Bundled by the test with Vite and run with plain `node`.
 *
 * argv: <dataDir> <url> <token>. Prints `ready <pid>` once it owns the folder; when another
 * process owns it, prints the refusal on stderr and exits 3.
 */
import { createCore } from '../create-core';
import { DataDirBusyError } from '../data-dir';

function main(): void {
  const [dataDir, url, token] = process.argv.slice(2);
  if (!dataDir || !url || !token) throw new Error('usage: <dataDir> <url> <token>');
  try {
    const core = createCore({ dataDir, shell: 'headless', metrics: { pollMs: 0 } });
    core.publishAddress({ url, token });
    // The handler before the line: the test may send SIGTERM the moment it reads it.
    process.on('SIGTERM', () => void core.close().then(() => process.exit(0)));
    process.stdout.write(`ready ${process.pid} ${core.status().state}\n`);
    setInterval(() => {}, 60_000);
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    process.stderr.write(error.message + '\n');
    process.exit(3);
  }
}

main();
