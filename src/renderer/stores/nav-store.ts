import { create } from 'zustand';
import { isAreaId, type AreaId } from '../areas';

const fromHash = (): AreaId => {
  const id = location.hash.replace(/^#\/?/, '');
  return isAreaId(id) ? id : 'instances';
};

interface NavState {
  area: AreaId;
  go(area: AreaId): void;
}

/** The current area, mirrored in the URL hash (#/settings) so a reload stays put. */
export const useNav = create<NavState>((set) => ({
  area: fromHash(),
  go: (area) => {
    if (location.hash !== `#/${area}`) history.replaceState(null, '', `#/${area}`);
    set({ area });
  },
}));

window.addEventListener('hashchange', () => useNav.setState({ area: fromHash() }));
