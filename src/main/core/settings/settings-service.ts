import { userInfo } from 'node:os';
import { settingsSchema, type Settings, type SettingsPatch } from '../../../shared/contract';
import type { Logger } from '../logger';
import type { AuditLog } from '../audit/audit-log';
import type { Store } from '../db/store';

type Editable = Omit<Settings, 'dataDir'>;
const EDITABLE_KEYS = ['theme', 'retentionDays', 'operatorName'] as const satisfies readonly (keyof Editable)[];

function defaults(): Editable {
  let operatorName = 'operator';
  try {
    operatorName = userInfo().username || operatorName;
  } catch {
    // userInfo() throws where the uid has no passwd entry (some containers); keep the default.
  }
  return { theme: 'system', retentionDays: 30, operatorName };
}

/** Operator settings: one row per key, defaults for anything never set. */
export function createSettingsService(
  store: Store,
  dataDir: string,
  now: () => number,
  logger: Logger,
  audit: AuditLog,
  /** Who changes the settings (the signed-in user in team mode); default: the operator name. */
  actor?: () => string,
) {
  const fallback = defaults();
  const select = store.db.prepare('SELECT key, value_json FROM settings');
  const upsert = store.db.prepare(
    `INSERT INTO settings (key, value_json, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
  );

  function get(): Settings {
    const values: Record<string, unknown> = { ...fallback };
    for (const row of select.all() as { key: string; value_json: string }[]) {
      if (!(EDITABLE_KEYS as readonly string[]).includes(row.key)) continue;
      const field = settingsSchema.shape[row.key as keyof Editable].safeParse(JSON.parse(row.value_json));
      if (field.success) values[row.key] = field.data;
      else logger.warn('Ignoring an invalid stored setting; using its default', { setting: row.key });
    }
    return settingsSchema.parse({ ...values, dataDir });
  }

  function update(patch: SettingsPatch): Settings {
    return store.write((announce) => {
      for (const key of EDITABLE_KEYS) {
        if (patch[key] !== undefined) upsert.run(key, JSON.stringify(patch[key]), now());
      }
      const next = get();
      audit.record(announce, {
        actor: actor?.() ?? next.operatorName,
        action: 'settings.update',
        targetType: 'settings',
        details: { changed: patch },
      });
      announce('settings:changed', next);
      return next;
    });
  }

  return { get, update };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
