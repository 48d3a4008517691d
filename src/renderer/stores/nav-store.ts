import { create } from 'zustand';
import type { AreaId } from '../areas';
import { hashFor, parseHash, type Route } from './routes';

export { hashFor } from './routes';

interface NavState extends Route {
  /** Opens an area or an item in it (`go('executions', 'FD-29')`): a new history entry. */
  go(area: AreaId, ...item: readonly (string | number)[]): void;
  /** Like `go`, without a history entry: for a detail closing or a selection following the keyboard. */
  replace(area: AreaId, ...item: readonly (string | number)[]): void;
}

/**
 * The current route, which is the URL hash: the store follows `hashchange` (back/forward, links,
 * typed URLs) and `go` only changes the hash. Pages read `area` and `item`; nothing else keeps a
 * second copy of where the operator is.
 */
export const useNav = create<NavState>(() => ({
  ...parseHash(location.hash),
  go: (area, ...item) => {
    const hash = hashFor(area, ...item);
    if (location.hash !== hash) location.hash = hash;
  },
  replace: (area, ...item) => {
    const hash = hashFor(area, ...item);
    if (location.hash === hash) return;
    history.replaceState(history.state, '', hash);
    useNav.setState(parseHash(hash));
  },
}));

window.addEventListener('hashchange', () => useNav.setState(parseHash(location.hash)));

/** The item segments when `area` is the current area, else null: what a page opens from its URL. */
export const useRouteItem = (area: AreaId): readonly string[] | null =>
  useNav((s) => (s.area === area ? s.item : null));
