import { useEffect } from 'react';
import { AREAS, type AreaId } from './areas';
import { AreaBoundary } from './components/AreaBoundary';
import { CommandPalette, useCommandPalette } from './components/CommandPalette';
import { ConnectionBadge } from './components/ConnectionBadge';
import { EmptyState } from './components/EmptyState';
import { ErrorTray } from './components/ErrorTray';
import { Nav } from './components/Nav';
import { StartupError } from './components/StartupError';
import { UserMenu } from './components/UserMenu';
import { queryClient, shownAsToast } from './data/calls';
import { PAGES } from './pages';
import { useApp } from './stores/app-store';
import { useAuth } from './stores/auth-store';
import { setToastArea } from './stores/errors-store';
import { useNav } from './stores/nav-store';
import { followRestores, useRestores } from './stores/restore-store';
import styles from './App.module.css';
import { useTheme } from './use-theme';

/** How the palette's shortcut reads on this machine. */
const PALETTE_KEY = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘K' : 'Ctrl K';

/** Alt+1…9 opens the nth area, Alt+0 Settings (wherever it sits in the list). */
function useGlobalShortcuts() {
  const go = useNav((s) => s.go);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || !/^Digit\d$/.test(event.code)) return;
      const digit = Number(event.code.slice(5));
      const target = digit === 0 ? AREAS.find((a) => a.id === 'settings') : AREAS[digit - 1];
      if (target) {
        event.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);
}

/**
 * A test hook: while `sessionStorage['flightdeck.test.crashArea']` names an area, that area throws
 * while rendering, so browser tests can prove an area's failure stays inside its boundary.
 */
function CrashProbe({ area }: { area: AreaId }) {
  if (sessionStorage.getItem('flightdeck.test.crashArea') === area)
    throw new Error(`Test crash of the ${area} area (flightdeck.test.crashArea)`);
  return null;
}

function CurrentArea() {
  const area = useNav((s) => s.area);
  useEffect(() => setToastArea(area), [area]);
  const Page = PAGES[area];
  const meta = AREAS.find((a) => a.id === area);
  return (
    // Keyed by area: a failed area is forgotten when the operator goes elsewhere and comes back.
    <AreaBoundary key={area} label={meta?.label ?? area} onReload={() => void queryClient.invalidateQueries()}>
      <CrashProbe area={area} />
      {Page ? (
        <Page />
      ) : (
        <section className="page">
          <h1>{meta?.label}</h1>
          <EmptyState title={`No ${meta?.label.toLowerCase()} yet`}>{meta?.empty}</EmptyState>
        </section>
      )}
    </AreaBoundary>
  );
}

export function App() {
  const { status, settings, start } = useApp();
  // A restore (in any window) remounts the current page, so it loads everything afresh.
  const restoreGeneration = useRestores((s) => s.generation);
  useTheme(settings?.theme ?? 'system');
  useGlobalShortcuts();
  const [paletteOpen, setPaletteOpen] = useCommandPalette();
  // A failed start is in the toasts (send reports it); the shell stays on "Loading…".
  useEffect(() => void start().catch(shownAsToast), [start]);
  useEffect(followRestores, []);
  // Who this window acts as (team mode) and what each control needs.
  const ready = status?.state === 'ready';
  useEffect(() => {
    if (ready)
      // A failed `auth:me` is a toast (send reports it); controls stay enabled and the core still checks.
      void useAuth.getState().start().catch(shownAsToast);
  }, [ready]);

  const appState = !status ? 'loading' : status.state === 'failed' ? 'startup-error' : settings ? 'ready' : 'loading';
  return (
    <div className={styles.app} data-app-state={appState}>
      {status?.state === 'failed' ? (
        <StartupError status={status} />
      ) : (
        <>
          <header className={styles.topbar}>
            <span className={styles.brand}>Flightdeck</span>
            <button
              type="button"
              className={styles.search}
              onClick={() => setPaletteOpen(true)}
              aria-keyshortcuts="Control+K Meta+K"
              data-testid="open-palette"
            >
              Go to… <kbd>{PALETTE_KEY}</kbd>
            </button>
            <span className={styles.topbarEnd}>
              <ConnectionBadge />
              <UserMenu />
            </span>
          </header>
          <aside className={styles.sidebar}>
            <Nav />
          </aside>
          <main className={`${styles.content} content`} data-restores={restoreGeneration}>
            {appState === 'ready' ? <CurrentArea key={restoreGeneration} /> : <p className="muted">Loading…</p>}
          </main>
        </>
      )}
      {paletteOpen && appState === 'ready' && <CommandPalette onClose={() => setPaletteOpen(false)} />}
      <ErrorTray />
    </div>
  );
}
