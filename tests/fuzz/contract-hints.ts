import fc from 'fast-check';
import { join } from 'node:path';
import { exportedWorkflowSchema, mappingsDocumentSchema } from '../../src/shared/contract';
import { FUZZ_N8N_API_KEY } from './fuzz-n8n';
import type { ContractWorld } from './contract-world';
import { ODD_STRINGS } from './hostile';
import { arbitraryFor, jsonPayload, type Hint } from './zod-arbitrary';

/**
 * What the schemas cannot tell: which ids exist right now, which time zones and cron
 * expressions are real, which URLs are safe to call (loopback only), which folders are safe to
 * write. Ids are looked up in the live store when a value is generated, so a call can hit a
 * mapping created three calls earlier; ids that never existed are mixed in.
 */

type Pool = 'string' | 'number';
const POOLS: Record<string, { sql: string; type: Pool }> = {
  // The instance with synced workflows first: calls naming an instance and a workflow then match.
  instance: {
    sql: 'SELECT id FROM instances ORDER BY (SELECT count(*) FROM workflows w WHERE w.instance_id = instances.id) DESC, id',
    type: 'string',
  },
  mapping: { sql: 'SELECT id FROM mappings', type: 'string' },
  execution: { sql: 'SELECT id FROM executions', type: 'number' },
  job: { sql: 'SELECT id FROM jobs', type: 'number' },
  approval: { sql: 'SELECT id FROM approvals', type: 'number' },
  approvalRule: { sql: 'SELECT id FROM approval_rules', type: 'string' },
  approvalView: { sql: 'SELECT id FROM approval_views', type: 'string' },
  runView: { sql: 'SELECT id FROM saved_views', type: 'number' },
  schedule: { sql: 'SELECT id FROM schedules', type: 'number' },
  alertRule: { sql: 'SELECT id FROM alert_rules', type: 'string' },
  alert: { sql: 'SELECT id FROM alerts', type: 'number' },
  draft: { sql: 'SELECT id FROM drafts', type: 'string' },
  promotion: { sql: 'SELECT id FROM promotions', type: 'number' },
  snapshot: { sql: 'SELECT id FROM n8n_snapshots', type: 'number' },
  workflow: { sql: 'SELECT id FROM workflows', type: 'string' },
  audit: { sql: 'SELECT id FROM audit_log', type: 'number' },
  monitoring: { sql: 'SELECT id FROM monitoring_events', type: 'number' },
  event: { sql: 'SELECT DISTINCT event FROM mappings', type: 'string' },
};

/** Which pool a key names in a given area (`id` means a mapping in mappings:, a run in runs:…). */
function poolFor(channel: string, key: string | undefined): string | undefined {
  const area = channel.split(':')[0]!;
  switch (key) {
    case 'instanceId':
    case 'sourceInstanceId':
    case 'targetInstanceId':
      return 'instance';
    case 'mappingId':
      return 'mapping';
    case 'workflowId':
    case 'workflowIds':
      return 'workflow';
    case 'draftId':
      return 'draft';
    case 'snapshotId':
      return 'snapshot';
    case 'ruleId':
      return 'alertRule';
    case 'event':
      return 'event';
    case 'beforeId':
      return area === 'audit'
        ? 'audit'
        : area === 'alerts'
          ? 'alert'
          : area === 'monitoring'
            ? 'monitoring'
            : undefined;
    case 'id':
    case 'ids': {
      if (channel === 'runs:removeView') return 'runView';
      if (channel === 'approvals:saveRule' || channel === 'approvals:removeRule') return 'approvalRule';
      if (channel === 'approvals:removeView') return 'approvalView';
      // Acknowledge, silence, unsilence: an alert (number), not a rule.
      if (['alerts:acknowledge', 'alerts:silence', 'alerts:unsilence'].includes(channel)) return 'alert';
      const byArea: Record<string, string> = {
        mappings: 'mapping',
        instances: 'instance',
        queue: 'job',
        runs: 'execution',
        executions: 'execution',
        approvals: 'approval',
        schedules: 'schedule',
        alerts: 'alertRule',
        drafts: 'draft',
        promotions: 'promotion',
      };
      return byArea[area];
    }
    default:
      return undefined;
  }
}

const MISSING_STRINGS = ['does-not-exist', '00000000-0000-4000-8000-000000000000', 'x'];
const MISSING_NUMBERS = [999_999_999, 2 ** 31 - 1, 123_456];

export function contractHint(channel: string, world: ContractWorld): Hint {
  const fromPool = (name: string, type: 'string' | 'number'): fc.Arbitrary<unknown> => {
    const pool = POOLS[name]!;
    // Index 0 often: the most useful id of the pool (see the instance pool's order).
    return fc.oneof(fc.constant(0), fc.nat()).map((i) => {
      const ids = world.probe.ids(pool.sql);
      if (ids.length === 0) return type === 'number' ? 1 : 'empty-pool';
      const id = ids[i % ids.length];
      // Numeric ids asked for as strings (and the other way round) are real mistakes too.
      return type === pool.type ? id : type === 'number' ? Number(id) || 1 : String(id);
    });
  };

  const hint: Hint = (field, derived) => {
    const { key, type } = field;
    const scalar = type === 'string' || type === 'number' || type === 'int';
    const pool = scalar ? poolFor(channel, key) : undefined;
    if (pool) {
      const t = type === 'string' ? 'string' : 'number';
      return fc.oneof(
        { weight: 5, arbitrary: fromPool(pool, t) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(...(t === 'string' ? MISSING_STRINGS : MISSING_NUMBERS)) },
        { weight: 1, arbitrary: derived() },
      );
    }
    if (type !== 'string' && type !== 'unknown') return undefined;
    switch (key) {
      case 'timeZone':
        return fc.constantFrom(
          'UTC',
          'Europe/Berlin',
          'America/New_York',
          'Asia/Kathmandu',
          'Mars/Olympus',
          'utc',
          '+05:00',
        );
      case 'expression':
        return fc.constantFrom(
          '0 9 * * *',
          '*/5 * * * *',
          '0 0 29 2 *',
          '* * * * * *',
          '61 * * * *',
          '0 0 31 2 *',
          'not a cron',
          '@yearly',
          '*/0 * * * *',
        );
      case 'at':
        return fc.constantFrom(
          '2026-03-29T02:30',
          '2026-10-25T02:30:00',
          '2025-01-01T00:00',
          '9999-12-31T23:59',
          '2026-02-30T10:00',
          '2026-13-01T00:00',
        );
      case 'baseUrl':
        // Loopback only: the fuzzer must never reach beyond this machine.
        return fc.constantFrom(
          world.loop.baseUrl,
          `${world.loop.baseUrl}/`,
          `${world.loop.baseUrl}/n8n`,
          'http://127.0.0.1:1',
          'http://localhost:1/',
        );
      case 'url':
        // The alert notifier's webhook: loopback or refused, never beyond this machine.
        return fc.constantFrom(
          `${world.loop.baseUrl}/hooks/alerts`,
          'http://127.0.0.1:1/hook',
          'file:///etc/passwd',
          'javascript:alert(1)',
          'http://user:pass@127.0.0.1:1/',
          'not a url',
        );
      case 'apiKey':
        return fc.constantFrom(FUZZ_N8N_API_KEY, 'wrong-key-000', `  ${FUZZ_N8N_API_KEY}  `);
      case 'passphrase':
        return fc.constantFrom('correct horse battery', 'short', '\uD800'.repeat(8));
      case 'folder':
        return fc.constantFrom(
          join(world.scratch, 'auto'),
          join(world.scratch, 'a', '..', 'b'),
          '/proc/flightdeck-fuzz',
          'relative/folder',
          '\\\\server\\share',
        );
      case 'path':
        // Backup files it listed, files it never listed, and escapes from the backups folder.
        return fc.constantFrom(
          ...world.known.backupFiles,
          join(world.dataDir, 'flightdeck.sqlite'),
          join(world.dataDir, 'keys', 'master.key'),
          join(world.dataDir, 'keys', 'ingest.secret'),
          '/etc/passwd',
          '../../../../etc/passwd',
          join(world.dataDir, 'backups', '..', 'keys', 'master.key'),
          '/dev/zero',
          '/proc/self/environ',
        );
      case 'restoreId':
        return fc.oneof(fc.constantFrom(...world.known.restoreIds, 'no-such-restore'), derived());
      case 'uploadId':
        return fc.oneof(fc.constantFrom(...world.known.uploadIds, 'fresh-upload-' + channel.length), derived());
      case 'dataBase64':
        return fc.oneof(fc.base64String({ maxLength: 64 }), fc.constantFrom('not base64!', '===', ''));
      case 'search':
      case 'text':
        return fc.oneof(derived(), fc.constantFrom('order', 'ana@', ...ODD_STRINGS.slice(0, 30)));
      case 'payload':
        return jsonPayload();
      case 'document':
        if (channel === 'mappings:import') return arbitraryFor(mappingsDocumentSchema, hint);
        if (channel === 'drafts:import') return arbitraryFor(exportedWorkflowSchema, hint);
        return undefined;
      default:
        return undefined;
    }
  };
  return hint;
}
