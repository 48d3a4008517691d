/**
 * `flightdeck://` links → the renderer's hash routes. Plain Node (no Electron), so the same rules
 * serve the single-instance hand-off, macOS `open-url`, notifications and the tray.
 *
 * | link                                   | route                  |
 * | -------------------------------------- | ---------------------- |
 * | `flightdeck://approvals/42`            | `#/approvals/42`       |
 * | `flightdeck://executions/FD-29` (`29`) | `#/executions/FD-29`   |
 * | `flightdeck://workflows/<inst>/<id>`   | `#/workflows/<inst>/<id>` |
 * | `flightdeck://mappings/<id>`           | `#/mappings/<id>` (also instances, schedules, drafts) |
 * | `flightdeck://approvals` (any area)    | `#/approvals`          |
 *
 * Anything else is refused (null): the link comes from outside the app (a browser, a chat, a
 * notification server), so it is read strictly and never echoed into the page unchecked. The
 * renderer's side of these routes is src/renderer/stores/routes.ts.
 */

export const DEEP_LINK_SCHEME = 'flightdeck';

/** The console's areas, in navigation order (the renderer's src/renderer/areas.ts; a test keeps them equal). */
export const AREA_IDS = [
  'instances',
  'workflows',
  'drafts',
  'mappings',
  'executions',
  'queue',
  'approvals',
  'schedules',
  'metrics',
  'backups',
  'audit',
  'templates',
  'settings',
] as const;
export type AreaId = (typeof AREA_IDS)[number];

/** What a link asks to open. */
export type DeepLink =
  | { kind: 'area'; area: AreaId }
  | { kind: 'approval'; id: number }
  /** `run` is the local run number as the console writes it: `FD-29`. */
  | { kind: 'execution'; run: string }
  /** An item named by its id (a mapping, an instance, a draft, a schedule). */
  | { kind: 'item'; area: ItemArea; id: string }
  | { kind: 'workflow'; instanceId: string; workflowId: string };

/** Areas whose items are opened by one id. */
export const ITEM_AREAS = ['mappings', 'instances', 'schedules', 'drafts'] as const;
export type ItemArea = (typeof ITEM_AREAS)[number];

/** Longer than any link this app writes; a longer one is refused before it is looked at. */
const MAX_LINK_LENGTH = 512;
/** Up to 15 digits: always a safe integer. No leading zero, no sign. */
const POSITIVE_ID = /^[1-9]\d{0,14}$/;
const RUN = /^(?:fd-)?([1-9]\d{0,14})$/i;
/** The ids Flightdeck and n8n hand out (UUIDs, n8n's workflow ids, numbers): nothing to escape. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const isItemArea = (value: string): value is ItemArea => (ITEM_AREAS as readonly string[]).includes(value);
const isArea = (value: string): value is AreaId => (AREA_IDS as readonly string[]).includes(value);

/**
 * Reads a `flightdeck://` link. Accepts the spellings operating systems hand over
 * (`flightdeck://approvals/42`, `flightdeck:approvals/42`, `flightdeck:///approvals/42/`, any case
 * in the scheme and area, a query or fragment, which are ignored); refuses everything else.
 */
export function parseDeepLink(text: unknown): DeepLink | null {
  if (typeof text !== 'string' || text.length > MAX_LINK_LENGTH) return null;
  const match = /^flightdeck:(.*)$/is.exec(text.trim());
  if (!match) return null;
  // No percent-decoding: no valid link needs it, and decoding hostile input is how doors break.
  const rest = (match[1] ?? '').replace(/[?#].*$/s, '');
  const parts = rest.split('/').filter((part) => part !== '');
  const [areaPart, item, second, ...extra] = parts;
  if (areaPart === undefined || extra.length > 0) return null;
  const area = areaPart.toLowerCase();
  if (!isArea(area)) return null;
  if (item === undefined) return { kind: 'area', area };
  if (second !== undefined) {
    return area === 'workflows' && SAFE_ID.test(item) && SAFE_ID.test(second)
      ? { kind: 'workflow', instanceId: item, workflowId: second }
      : null;
  }
  if (isItemArea(area) && SAFE_ID.test(item)) return { kind: 'item', area, id: item };
  if (area === 'approvals' && POSITIVE_ID.test(item)) return { kind: 'approval', id: Number(item) };
  const run = area === 'executions' ? RUN.exec(item) : null;
  if (run?.[1]) return { kind: 'execution', run: `FD-${run[1]}` };
  return null;
}

/** The renderer's hash route for a link (`#/approvals/42`). */
export function routeFor(link: DeepLink): string {
  switch (link.kind) {
    case 'area':
      return `#/${link.area}`;
    case 'approval':
      return `#/approvals/${link.id}`;
    case 'execution':
      return `#/executions/${link.run}`;
    case 'item':
      return `#/${link.area}/${link.id}`;
    case 'workflow':
      return `#/workflows/${link.instanceId}/${link.workflowId}`;
  }
}

/** The link for an item (what notifications and the tray open, and what a person can share). */
export function linkFor(link: DeepLink): string {
  return `${DEEP_LINK_SCHEME}://${routeFor(link).slice(2)}`;
}

/** The route a link opens, or null when the link is refused. */
export function routeForLink(text: unknown): string | null {
  const link = parseDeepLink(text);
  return link ? routeFor(link) : null;
}

/**
 * The first `flightdeck://` link on a command line (how Windows and Linux hand a clicked link to
 * the app, and how a second launch passes it on), or null. Only whole arguments count.
 */
export function findDeepLinkInArgv(argv: readonly unknown[]): string | null {
  for (const arg of argv) {
    if (typeof arg === 'string' && /^flightdeck:/i.test(arg)) return arg;
  }
  return null;
}
