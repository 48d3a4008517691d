import { useEffect } from 'react';
import { AREAS } from './areas';
import { ConnectionBadge } from './components/ConnectionBadge';
import { EmptyState } from './components/EmptyState';
import { ErrorTray } from './components/ErrorTray';
import { Nav } from './components/Nav';
import { StartupError } from './components/StartupError';
import { UserMenu } from './components/UserMenu';
import { PAGES } from './pages';
import { useApp } from './stores/app-store';
import { useAuth } from './stores/auth-store';
import { useNav } from './stores/nav-store';
import { followRestores, useRestores } from './stores/restore-store';
import { useTheme } from './use-theme';

function useGlobalShortcuts() {
  const go = useNav((s) => s.go);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const target = AREAS[Number(event.code.replace('Digit', '')) - 1];
      if (target) {
        event.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);
}

function CurrentArea() {
  const area = useNav((s) => s.area);
  const Page = PAGES[area];
  if (Page) return <Page />;
  const meta = AREAS.find((a) => a.id === area);
  return (
    <section className="page">
      <h1>{meta?.label}</h1>
      <EmptyState title={`No ${meta?.label.toLowerCase()} yet`}>{meta?.empty}</EmptyState>
    </section>
  );
}

export function App() {
  const { status, settings, start } = useApp();
  // A restore (in any window) remounts the current page, so it loads everything afresh.
  const restoreGeneration = useRestores((s) => s.generation);
  useTheme(settings?.theme ?? 'system');
  useGlobalShortcuts();
  useEffect(() => void start().catch(() => undefined), [start]);
  useEffect(followRestores, []);
  // Who this window acts as (team mode) and what each control needs.
  const ready = status?.state === 'ready';
  useEffect(() => {
    if (ready)
      void useAuth
        .getState()
        .start()
        .catch(() => undefined);
  }, [ready]);

  const appState = !status ? 'loading' : status.state === 'failed' ? 'startup-error' : settings ? 'ready' : 'loading';
  return (
    <div className="app" data-app-state={appState}>
      {status?.state === 'failed' ? (
        <StartupError status={status} />
      ) : (
        <>
          <header className="topbar">
            <span className="brand">Flightdeck</span>
            <span className="topbar-end">
              <ConnectionBadge />
              <UserMenu />
            </span>
          </header>
          <aside className="sidebar">
            <Nav />
          </aside>
          <main className="content" data-restores={restoreGeneration}>
            {appState === 'ready' ? <CurrentArea key={restoreGeneration} /> : <p className="muted">Loading…</p>}
          </main>
        </>
      )}
      <ErrorTray />
    </div>
  );
}
