/** Structured logging with secrets redacted before anything is written. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];

/** Field names that may carry a secret: their values are never logged. */
const SECRET_FIELD = /key|token|secret|password|passphrase|authorization|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1)]),
  );
}

/** One JSON line per entry on stderr (stdout stays free for the host's own messages). */
export function createLogger(options: { minLevel?: Level; write?: (line: string) => void } = {}): Logger {
  const min = LEVELS.indexOf(options.minLevel ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const log = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(level) < min) return;
    write(JSON.stringify({ level, time: new Date().toISOString(), message, ...(redact(fields ?? {}) as object) }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
