import { useRef } from 'react';
import { AREAS } from '../areas';
import { ApprovalsBadge } from '../features/approvals/ApprovalsBadge';
import { useAuth } from '../stores/auth-store';
import { AlertsBadge } from '../features/metrics/AlertsBadge';
import { useNav } from '../stores/nav-store';
import styles from './Nav.module.css';

/** The key that opens an area: Alt+1…9 for the first nine, Alt+0 for Settings. */
export const shortcutOf = (index: number, id: string): string | null =>
  id === 'settings' ? '0' : index < 9 ? String(index + 1) : null;

/** Sidebar navigation: arrow keys move between areas, Alt+digit jumps from anywhere. */
export function Nav() {
  const { area, go } = useNav();
  const list = useRef<HTMLUListElement>(null);
  const team = useAuth((s) => s.me?.mode === 'team');
  const areas = AREAS.filter((a) => a.id !== 'team' || team);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const index = areas.findIndex((a) => a.id === area);
    const next = areas[(index + (event.key === 'ArrowDown' ? 1 : areas.length - 1)) % areas.length];
    if (!next) return;
    go(next.id);
    list.current?.querySelector<HTMLButtonElement>(`[data-area="${next.id}"]`)?.focus();
  };

  return (
    <nav aria-label="Areas">
      <ul ref={list} className={styles.list} onKeyDown={onKeyDown}>
        {areas.map((a, i) => {
          const key = shortcutOf(i, a.id);
          return (
            <li key={a.id}>
              <button
                type="button"
                className={styles.item}
                data-area={a.id}
                data-testid={`nav-${a.id}`}
                aria-current={a.id === area ? 'page' : undefined}
                aria-keyshortcuts={key ? `Alt+${key}` : undefined}
                tabIndex={a.id === area ? 0 : -1}
                onClick={() => go(a.id)}
                title={key ? `${a.label} (Alt+${key})` : a.label}
              >
                <span className={styles.label}>{a.label}</span>
                {a.id === 'approvals' && <ApprovalsBadge />}
                {a.id === 'metrics' && <AlertsBadge />}
                {key && <kbd className={styles.key}>{key}</kbd>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
