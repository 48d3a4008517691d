import { useEffect, useMemo, useRef, useState } from 'react';
import { formatRun, parseRunNumber } from '../../shared/run-identity';
import { AREAS } from '../areas';
import { shownAsToast, useAction, useCall } from '../data/calls';
import { useApp } from '../stores/app-store';
import { useAuth } from '../stores/auth-store';
import { useNav } from '../stores/nav-store';
import { executionItem } from '../stores/routes';
import { rankItems, type PaletteItem } from './palette-items';
import { shortcutOf } from './Nav';
import styles from './CommandPalette.module.css';

const MAX_SHOWN = 50;

/** Ctrl/Cmd+K from anywhere opens the palette; a second press (or Escape) closes it. */
export function useCommandPalette(): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return [open, setOpen];
}

/** What the palette offers: areas, actions, then what is synced (loaded only while it is open). */
function usePaletteItems(query: string): { items: PaletteItem[]; loading: boolean } {
  const theme = useApp((s) => s.settings?.theme);
  const updateSettings = useApp((s) => s.updateSettings);
  const syncNow = useAction('instances:syncNow');
  const instances = useCall('instances:list', {});
  const workflows = useCall('workflows:list', {});
  const mappings = useCall('mappings:list', {});
  // The Team area is offered only in team mode, as in the sidebar.
  const team = useAuth((s) => s.me?.mode === 'team');
  const isRun = parseRunNumber(query) !== null;
  const runs = useCall('executions:list', { search: query.trim(), limit: 10 }, { enabled: isRun });

  return useMemo(() => {
    const instanceName = (id: string | null) => instances.data?.instances.find((i) => i.id === id)?.name ?? null;
    const items: PaletteItem[] = AREAS.flatMap((a, i) => {
      if (a.id === 'team' && !team) return [];
      const key = shortcutOf(i, a.id);
      return {
        id: `area:${a.id}`,
        label: a.label,
        group: 'Area',
        ...(key ? { hint: `Alt+${key}` } : {}),
        route: { area: a.id, item: [] },
      };
    });
    if (isRun)
      for (const r of runs.data?.executions ?? [])
        items.unshift({
          id: `run:${r.id}`,
          label: formatRun(r, instanceName),
          group: 'Run',
          hint: `${r.workflowName ?? ''} ${r.status}`,
          route: { area: 'executions', item: [executionItem(r)] },
        });
    const otherTheme = theme === 'dark' ? 'light' : 'dark';
    items.push(
      {
        id: 'action:theme',
        label: `Switch to the ${otherTheme} theme`,
        group: 'Action',
        run: () => void updateSettings({ theme: otherTheme }).catch(shownAsToast),
      },
      {
        id: 'action:sync',
        label: 'Sync every instance now',
        group: 'Action',
        run: () => {
          for (const i of instances.data?.instances ?? []) void syncNow.run({ id: i.id });
        },
      },
      { id: 'action:audit', label: 'Verify the audit log', group: 'Action', route: { area: 'audit', item: [] } },
    );
    for (const i of instances.data?.instances ?? [])
      items.push({
        id: `instance:${i.id}`,
        label: i.name,
        group: 'Instance',
        hint: `${i.environment} ${i.baseUrl}`,
        route: { area: 'instances', item: [i.id] },
      });
    for (const w of workflows.data?.workflows ?? [])
      items.push({
        id: `workflow:${w.instanceId}/${w.id}`,
        label: w.name,
        group: 'Workflow',
        hint: `${instanceName(w.instanceId) ?? ''}${w.active ? '' : ' inactive'}`,
        route: { area: 'workflows', item: [w.instanceId, w.id] },
      });
    for (const m of mappings.data ?? [])
      items.push({
        id: `mapping:${m.id}`,
        label: m.name,
        group: 'Mapping',
        hint: `${m.event} → ${instanceName(m.instanceId) ?? ''}`,
        route: { area: 'mappings', item: [m.id] },
      });
    return {
      items,
      loading: instances.isLoading || workflows.isLoading || mappings.isLoading || (isRun && runs.isLoading),
    };
    // The query results are what changes; the action functions are stable enough to leave out.
  }, [instances.data, workflows.data, mappings.data, runs.data, isRun, theme, team]);
}

/**
 * The command palette: type to jump to any area, instance, workflow, mapping or run (`FD-29`,
 * `n8n #812`), or to run a common action. ↑/↓ choose, Enter opens, Escape closes.
 */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const dialog = useRef<HTMLDialogElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const go = useNav((s) => s.go);
  const { items, loading } = usePaletteItems(query);
  const shown = useMemo(() => rankItems(items, query, MAX_SHOWN), [items, query]);
  const current = shown[Math.min(active, shown.length - 1)];

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const choose = (item: PaletteItem | undefined) => {
    if (!item) return;
    onClose();
    if (item.route) go(item.route.area, ...item.route.item);
    item.run?.();
  };
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (shown.length === 0 ? 0 : (Math.min(a, shown.length - 1) + step + shown.length) % shown.length));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(current);
    }
  };

  return (
    <dialog
      ref={dialog}
      className={styles.palette}
      aria-label="Command palette"
      data-testid="palette"
      onCancel={onClose}
      onClick={(e) => e.target === dialog.current && onClose()}
    >
      <input
        className={styles.input}
        autoFocus
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={current ? `palette-${current.id}` : undefined}
        aria-label="Go to an area, instance, workflow, mapping or run (FD-29, n8n #812), or run an action"
        placeholder="Go to… (an area, instance, workflow, mapping, FD-29, n8n #812) or an action"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        data-testid="palette-input"
      />
      <ul id="palette-list" ref={list} role="listbox" className={styles.list} aria-label="Results">
        {shown.map((item) => (
          <li
            key={item.id}
            id={`palette-${item.id}`}
            role="option"
            aria-selected={item === current}
            className={styles.option}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(item)}
            data-testid="palette-option"
            data-group={item.group}
          >
            <span className={styles.group}>{item.group}</span>
            <span className={styles.label}>{item.label}</span>
            {item.hint && <span className={styles.hint}>{item.hint}</span>}
          </li>
        ))}
        {shown.length === 0 && (
          <li className={styles.empty} role="presentation">
            {loading ? 'Loading…' : `Nothing matches “${query}”.`}
          </li>
        )}
      </ul>
      <p className={styles.footer}>
        <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close · <kbd>Alt</kbd>+<kbd>1</kbd>…
        <kbd>9</kbd> areas · <kbd>Alt</kbd>+<kbd>0</kbd> Settings
      </p>
    </dialog>
  );
}
