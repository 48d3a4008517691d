import { useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import styles from './Picker.module.css';

/** One choice of a picker: shown by name, with what tells two alike apart. */
export interface PickerOption {
  value: string;
  /** The name an operator knows it by. */
  label: string;
  /** A second line: a webhook path, an environment, an event count… */
  detail?: string | undefined;
  /** A short tag at the right (`live`, `inactive`, `dev`). */
  tag?: string | undefined;
  tone?: 'ok' | 'muted' | 'warn' | undefined;
  /** Extra words the search matches (an id, a path) without showing them. */
  keywords?: string | undefined;
}

export interface PickerProps {
  label: ReactNode;
  options: readonly PickerOption[];
  /** The chosen value; in `free` mode, the text as typed. */
  value: string | null;
  onChange(value: string | null, option: PickerOption | undefined): void;
  /** Accept typed text as the value (the options are suggestions): webhook paths, event names. */
  free?: boolean;
  placeholder?: string;
  /** Shown under the field (after it was touched, or on submit: the caller decides). */
  error?: string | undefined;
  /** Shown under the field in a calmer colour. */
  note?: ReactNode;
  /** Shown in the list when nothing matches. */
  emptyText?: string;
  disabled?: boolean;
  /** Offer "(any)" to clear the choice: filters and scopes. */
  clearable?: string;
  testId?: string;
  onBlur?(): void;
}

/** Options beyond this many are not rendered; the operator types to narrow. */
const SHOWN = 200;

const matches = (option: PickerOption, words: string[]) => {
  const haystack = `${option.label} ${option.detail ?? ''} ${option.tag ?? ''} ${option.keywords ?? ''}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
};

/**
 * One searchable picker for everything chosen by name (instances, workflows, mappings, events):
 * a combobox whose list filters as you type; ↑/↓ move, Enter picks, Escape closes. The id stays
 * in the value and on hover, never in the operator's face.
 */
export function Picker(props: PickerProps) {
  const { options, value, onChange, free = false } = props;
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const chosen = options.find((o) => o.value === value);

  // A value no option has (removed since it was chosen, or from another machine): said so, with the
  // head of its id; the whole id is on hover.
  const missing = !free && value && !chosen ? value : null;
  const shownText = free
    ? (value ?? '')
    : (query ??
      chosen?.label ??
      (missing ? `Not found: ${missing.length > 12 ? `${missing.slice(0, 8)}…` : missing}` : ''));
  const search = (free ? (value ?? '') : (query ?? '')).trim().toLowerCase();
  const filtered = useMemo(() => {
    const words = search.split(/\s+/).filter(Boolean);
    const list = words.length ? options.filter((o) => matches(o, words)) : [...options];
    // "(any)" heads the unfiltered list only: while searching, Enter takes the best match.
    const clear = props.clearable && !free && words.length === 0;
    return clear ? [{ value: '', label: props.clearable ?? '', tone: 'muted' as const }, ...list] : list;
  }, [options, search, props.clearable, free]);
  const visible = filtered.slice(0, SHOWN);

  const pick = (option: PickerOption | undefined) => {
    setOpen(false);
    setQuery(null);
    if (!option) return;
    onChange(option.value === '' && props.clearable ? null : option.value, option);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (visible.length === 0 ? 0 : (a + step + visible.length) % visible.length));
    } else if (e.key === 'Enter') {
      if (open && visible[active]) {
        e.preventDefault();
        pick(visible[active]);
      } else if (open) {
        e.preventDefault();
        setOpen(false);
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
        setQuery(null);
      }
    }
  };

  const activeId = open && visible[active] ? `${id}-opt-${active}` : undefined;
  return (
    <div className={`field ${styles.picker}`} data-testid={props.testId}>
      <label htmlFor={`${id}-input`}>{props.label}</label>
      <div className={styles.box}>
        <input
          ref={input}
          id={`${id}-input`}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          aria-invalid={Boolean(props.error)}
          autoComplete="off"
          spellCheck={false}
          disabled={props.disabled}
          value={shownText}
          placeholder={props.placeholder}
          title={chosen && !free ? `${chosen.label} · ${chosen.value}` : missing ? `Not found: ${missing}` : undefined}
          data-testid={props.testId ? `${props.testId}-input` : undefined}
          onChange={(e) => {
            setOpen(true);
            setActive(0);
            if (free) onChange(e.target.value, undefined);
            else setQuery(e.target.value);
          }}
          onFocus={() => setOpen(true)}
          onClick={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            setQuery(null);
            props.onBlur?.();
          }}
          onKeyDown={onKeyDown}
        />
        {open && (
          <ul className={styles.list} role="listbox" id={listId} data-testid={props.testId && `${props.testId}-list`}>
            {visible.length === 0 && <li className={styles.empty}>{props.emptyText ?? 'Nothing matches'}</li>}
            {visible.map((o, i) => (
              <li
                key={`${o.value}-${i}`}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                data-value={o.value}
                data-testid={props.testId && `${props.testId}-option`}
                className={i === active ? styles.active : undefined}
                title={o.value || undefined}
                // Before the input's blur, so the click picks instead of closing the list.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(o);
                }}
                onMouseMove={() => setActive(i)}
              >
                <span className={styles.label}>{o.label}</span>
                {o.tag && <span className={`${styles.tag} ${o.tone ? (styles[o.tone] ?? '') : ''}`}>{o.tag}</span>}
                {o.detail && <span className={styles.detail}>{o.detail}</span>}
              </li>
            ))}
            {filtered.length > SHOWN && (
              <li className={styles.empty}>{filtered.length - SHOWN} more: type to narrow the list</li>
            )}
          </ul>
        )}
      </div>
      {props.error ? (
        <small className={`invalid ${styles.invalid ?? ''}`}>{props.error}</small>
      ) : (
        props.note && <small>{props.note}</small>
      )}
    </div>
  );
}
