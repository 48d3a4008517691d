import { isAreaId, type AreaId } from '../areas';

/**
 * Hash routes: every area and item has a URL, so back/forward, reloads, notifications, the tray
 * and `flightdeck://` links (src/main/app/deep-link.ts) all open the same place.
 *
 * | route                              | opens                                  |
 * | ---------------------------------- | -------------------------------------- |
 * | `#/executions/FD-29`               | run FD-29's detail                     |
 * | `#/approvals/12`                   | approval 12                            |
 * | `#/workflows/<instance>/<id>`      | a workflow's detail                    |
 * | `#/workflows/promote`              | promotion between instances            |
 * | `#/mappings/<id>`                  | a mapping's editor                     |
 * | `#/instances/<id>`                 | an instance's card                     |
 * | `#/schedules/<id>`                 | a schedule's ledger                    |
 * | `#/drafts/<id>`                    | a draft                                |
 * | `#/<area>`                         | the area                               |
 *
 * Each segment is URI-encoded; what an item segment means is the area's business.
 */
export interface Route {
  area: AreaId;
  /** The item's segments after the area, decoded (empty: the area itself). */
  item: readonly string[];
}

const HOME: Route = { area: 'instances', item: [] };
/** Longer than any route the console writes; a longer hash is not read. */
const MAX_HASH = 1024;

const decode = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/** Reads `#/area/item…`; anything else (an unknown area, a broken escape) is the home route. */
export function parseHash(hash: string): Route {
  if (hash.length > MAX_HASH) return HOME;
  const path = hash.replace(/^#\/?/, '').replace(/[?].*$/s, '');
  const [area, ...rest] = path.split('/');
  if (area === undefined || !isAreaId(area)) return HOME;
  const item: string[] = [];
  for (const segment of rest) {
    if (segment === '') continue;
    const decoded = decode(segment);
    if (decoded === null) return { area, item: [] };
    item.push(decoded);
  }
  return { area, item };
}

/** The hash of a route: `hashFor('workflows', 'inst-1', 'abc')` → `#/workflows/inst-1/abc`. */
export function hashFor(area: AreaId, ...item: readonly (string | number)[]): string {
  return `#/${[area, ...item.map((segment) => encodeURIComponent(String(segment)))].join('/')}`;
}

export const sameRoute = (a: Route, b: Route): boolean =>
  a.area === b.area && a.item.length === b.item.length && a.item.every((s, i) => s === b.item[i]);

/**
 * An execution's item segment: `FD-29` for a local run, the row id (`812`) for one synced from n8n
 * (its n8n number is not unique across instances). Both name the same row id.
 */
export const executionItem = (run: { id: number; source: 'local' | 'remote' }): string =>
  run.source === 'local' ? `FD-${run.id}` : String(run.id);

/** The row id an execution's item segment names (`FD-29`, `fd29`, `29`), or null. */
export function executionRowId(segment: string | undefined): number | null {
  const match = /^(?:fd-?)?([1-9]\d{0,14})$/i.exec(segment ?? '');
  return match?.[1] ? Number(match[1]) : null;
}
