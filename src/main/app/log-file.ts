import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const LOG_FILE = 'flightdeck.log';

/**
 * A line writer for the core's logger that also keeps the lines in a file (Help → Open the Logs
 * Folder), since an app started from a dock or at login has no terminal. One file, moved to
 * `flightdeck.log.1` past `maxBytes`, so the folder never grows past twice that. The lines are the
 * logger's, already redacted. A failing disk never stops the app: the line still reaches stderr.
 */
export function logFileWriter(
  logsDir: string,
  options: { maxBytes?: number; echo?: (line: string) => void } = {},
): (line: string) => void {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const echo = options.echo ?? ((line: string) => process.stderr.write(line + '\n'));
  const file = join(logsDir, LOG_FILE);
  let size = -1;
  let broken = false;
  return (line) => {
    echo(line);
    if (broken) return;
    try {
      if (size < 0) {
        mkdirSync(logsDir, { recursive: true, mode: 0o700 });
        size = sizeOf(file);
      }
      if (size > maxBytes) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      const text = line + '\n';
      appendFileSync(file, text, { mode: 0o600 });
      size += Buffer.byteLength(text);
    } catch (error) {
      broken = true;
      echo(JSON.stringify({ level: 'warn', message: 'Could not write the log file', error: String(error) }));
    }
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no file yet
  }
}
