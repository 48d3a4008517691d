import type { TemplateFieldKind } from '../../../shared/contract/templates';
import { eventNameSchema } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import { assertTimeZone, compileTiming } from '../scheduler/timing';

/** The Webhook node's path rule (the mapping's), and no `..` or `//` segments n8n would read differently. */
const WEBHOOK_PATH = /^[A-Za-z0-9][A-Za-z0-9._~\-/:]*$/;

const messageOf = (error: unknown): string =>
  error instanceof AppError ? error.message.replace(/^timing\.\w+: /, '') : String(error);

/** Why `value` is not a valid value of `kind`, or null when it is. */
export function checkFieldValue(kind: TemplateFieldKind, value: string): string | null {
  if (value.length === 0) return 'a value is needed';
  switch (kind) {
    case 'event': {
      const parsed = eventNameSchema.safeParse(value);
      return parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not an event name');
    }
    case 'webhookPath':
      if (value.length > 300) return 'at most 300 characters';
      if (!WEBHOOK_PATH.test(value) || value.includes('//') || value.split('/').includes('..'))
        return 'use a Webhook node path such as orders/new (letters, digits, . _ ~ - / :, no leading slash)';
      return null;
    case 'url': {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return 'not a URL; use http://… or https://…';
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'use an http:// or https:// address';
      return value.length > 2_000 ? 'at most 2000 characters' : null;
    }
    case 'cron':
      try {
        compileTiming({ kind: 'cron', expression: value, timeZone: 'UTC' }, 0);
        return null;
      } catch (error) {
        return messageOf(error);
      }
    case 'timeZone':
      try {
        assertTimeZone(value, 'timing');
        return null;
      } catch (error) {
        return messageOf(error);
      }
    case 'text':
      if (value.length > 200) return 'at most 200 characters';
      // eslint-disable-next-line no-control-regex
      return /[\u0000-\u001f\u007f]/.test(value) ? 'no control characters' : null;
  }
}
