import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger';
import { tempDir } from '../core/testing/test-core';
import { LOG_FILE, logFileWriter } from './log-file';

describe('log file', () => {
  it('keeps redacted lines in an owner-only file and rolls it over past the limit', () => {
    const dir = tempDir();
    try {
      const echoed: string[] = [];
      const logsDir = join(dir.path, 'logs');
      const logger = createLogger({ write: logFileWriter(logsDir, { maxBytes: 300, echo: (l) => echoed.push(l) }) });
      logger.info('Connected', { instance: 'prod', apiKey: 'n8n_api_secret' });
      const file = join(logsDir, LOG_FILE);
      const first = readFileSync(file, 'utf8');
      expect(first).toContain('"instance":"prod"');
      expect(first).not.toContain('n8n_api_secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      for (let i = 0; i < 10; i++) logger.info(`line ${i}`);
      // Rolled over (more than once): the older file holds earlier lines, each file stays near the limit.
      expect(readFileSync(`${file}.1`, 'utf8')).toMatch(/"line \d"/);
      expect(readFileSync(file, 'utf8')).toContain('"line 9"');
      expect(statSync(file).size + statSync(`${file}.1`).size).toBeLessThan(2 * 300 + 200);
      expect(echoed).toHaveLength(11);
    } finally {
      dir.remove();
    }
  });

  it('a log folder that cannot be written is said once; the app carries on', () => {
    const dir = tempDir();
    try {
      const blocker = join(dir.path, 'not-a-folder');
      writeFileSync(blocker, '');
      const echoed: string[] = [];
      const write = logFileWriter(blocker, { echo: (l) => echoed.push(l) });
      write('a');
      write('b');
      expect(echoed.filter((l) => l.includes('Could not write the log file'))).toHaveLength(1);
      expect(echoed).toContain('b');
    } finally {
      dir.remove();
    }
  });
});
