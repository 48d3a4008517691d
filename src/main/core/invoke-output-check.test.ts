import { describe, expect, it } from 'vitest';
import { fail, ok } from '../../shared/result';
import { checkReply, OUTPUT_MISMATCH } from './invoke';
import type { Logger } from './logger';
import { testCore } from './testing/test-core';

function recordingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => void errors.push({ message, ...(fields ? { fields } : {}) }),
  };
  return { logger, errors };
}

const status = { state: 'ready', version: '1.0.0', dataDir: '/tmp/x', schemaVersion: 11, startupError: null };

describe('checkReply (CoreOptions.checkOutputs)', () => {
  it('passes a reply that matches its declared output, unchanged', () => {
    const { logger, errors } = recordingLogger();
    const reply = ok(status);
    expect(checkReply('app:status', reply, logger)).toBe(reply);
    expect(errors).toEqual([]);
  });

  it('turns a reply of the wrong shape into INTERNAL naming the field, and logs it', () => {
    const { logger, errors } = recordingLogger();
    const result = checkReply('app:status', ok({ ...status, schemaVersion: '11' }), logger);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).toContain(OUTPUT_MISMATCH);
    expect(result.error.message).toContain('app:status: schemaVersion:');
    expect(errors).toEqual([{ message: OUTPUT_MISMATCH, fields: expect.objectContaining({ channel: 'app:status' }) }]);
  });

  it('refuses keys the schema does not declare, however deep (zod would strip them silently)', async () => {
    const { logger } = recordingLogger();
    const t = testCore();
    try {
      const created = await t.core.call('instances:add', {
        name: 'Prod',
        baseUrl: 'http://127.0.0.1:9',
        environment: 'prod',
        color: '#2f6fed',
        syncEnabled: false,
        apiKey: 'n8n-api-key-0001',
      });
      expect(created.ok, JSON.stringify(created)).toBe(true);
      // A reply the core itself produced (already checked by the test core) passes...
      const list = await t.core.call('instances:list', {});
      if (!list.ok) throw new Error(JSON.stringify(list.error));
      expect(checkReply('instances:list', list, logger).ok).toBe(true);
      // ...and the same reply carrying a column the contract does not declare is refused.
      const leaky = { instances: list.data.instances.map((i) => ({ ...i, sync: { ...i.sync, apiKey: 'secret' } })) };
      const result = checkReply('instances:list', ok(leaky), logger);
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.error.message).toContain('instances.0.sync.apiKey: not declared in the output schema');
    } finally {
      await t.cleanup();
    }
  });

  it('leaves failures and unknown channels to the caller', () => {
    const { logger, errors } = recordingLogger();
    const failure = fail('NOT_FOUND', 'no such thing');
    expect(checkReply('app:status', failure, logger)).toBe(failure);
    const unknown = ok({ anything: 1 });
    expect(checkReply('nope:nothing', unknown, logger)).toBe(unknown);
    expect(errors).toEqual([]);
  });
});
