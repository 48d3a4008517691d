import { useRef } from 'react';
import { AREAS } from '../areas';
import { ApprovalsBadge } from '../features/approvals/ApprovalsBadge';
import { useAuth } from '../stores/auth-store';
import { useNav } from '../stores/nav-store';

/** Sidebar navigation: arrow keys move between areas, Alt+1…9 jumps from anywhere. */
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
      <ul ref={list} onKeyDown={onKeyDown}>
        {areas.map((a, i) => (
          <li key={a.id}>
            <button
              type="button"
              data-area={a.id}
              data-testid={`nav-${a.id}`}
              aria-current={a.id === area ? 'page' : undefined}
              tabIndex={a.id === area ? 0 : -1}
              onClick={() => go(a.id)}
              title={`${a.label} (Alt+${i + 1})`}
            >
              {a.label}
              {a.id === 'approvals' && <ApprovalsBadge />}
              <kbd>{i + 1}</kbd>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
