import { useEffect } from 'react';
import type { Theme } from '../shared/contract';

/** Applies the theme to <html data-theme>, following the OS when the setting is `system`. */
export function useTheme(theme: Theme) {
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      document.documentElement.dataset.theme = theme === 'system' ? (media.matches ? 'dark' : 'light') : theme;
    };
    apply();
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [theme]);
}
