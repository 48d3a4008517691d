import {
  columnResizingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createSortedRowModel,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
  type ColumnDef,
  type ColumnSizingState,
  type ColumnVisibilityState,
  type RowData,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type PointerEvent as ReactPointerEvent,
  type ReactNode,
} from 'react';
import { useRemembered } from './DataTable.storage';
import styles from './DataTable.module.css';

/** The features every console table has: sort, resizable columns, column choice. */
export const dataTableFeatures = tableFeatures({
  rowSortingFeature,
  columnSizingFeature,
  columnResizingFeature,
  columnVisibilityFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
});
export type DataColumn<T extends RowData> = ColumnDef<typeof dataTableFeatures, T>;

/** What a table remembers per `storageKey` (localStorage): sort, widths, hidden columns. */
interface Remembered {
  sorting: SortingState;
  sizing: ColumnSizingState;
  visibility: ColumnVisibilityState;
}

const ROW_HEIGHT = 34;
const HEAD_HEIGHT = 30;

/** True when a key press belongs to a field being typed in, not to the table. */
const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  target.closest('input, textarea, select, dialog, [contenteditable], [role="dialog"]') !== null;

export interface DataTableProps<T extends RowData> {
  /** Names the remembered layout (localStorage); one per table. */
  storageKey: string;
  columns: DataColumn<T>[];
  data: T[];
  rowId(row: T): string;
  /** Enter or a click on a row. */
  onOpen?(row: T): void;
  /** Space on a row (the caller keeps the selection). */
  onToggle?(row: T): void;
  /** The row shown as open (highlighted). */
  openId?: string | null;
  label: string;
  testId?: string;
  /** Height of the scrolling body, CSS (default 60vh). */
  height?: string;
  empty?: ReactNode;
  /** Extra attributes per row (data-… for tests and links). */
  rowAttributes?(row: T): Record<`data-${string}`, string>;
  /** Called when the last rows come into view: load the next page. */
  onNearEnd?(): void;
  /**
   * Sorted by the caller (a paged list sorted on the server): the headers show and change this
   * state, the rows stay in the order given. Without it the table sorts what it holds.
   */
  serverSort?: { sorting: SortingState; onChange(sorting: SortingState): void };
  /** The sort before the operator chooses one (e.g. newest first). */
  defaultSorting?: SortingState;
  /** Columns hidden until the operator shows them. */
  defaultHidden?: string[];
  /** The row under the keyboard cursor changed (↑/↓, j/k, a click). */
  onCursorChange?(row: T): void;
  /**
   * The order the rows are shown in changed (a header sort, rows added or removed): their ids top
   * to bottom, and whether a sort caused it. For keys that walk the list outside the grid (the
   * inbox's j/k), which must follow what the operator sees.
   */
  onRowOrder?(ids: string[], sortChanged: boolean): void;
  /** Escape in the table (close the detail). */
  onClose?(): void;
  /** j/k/x also work while focus is elsewhere in the area (not in a field): the Queue's keys. */
  windowKeys?: boolean;
  /** The sort changed (to say what a client-side sort covers). */
  onSortingChange?(sorting: SortingState): void;
  /** Shown left of "Columns" (a count, a note on the sort). */
  note?: ReactNode;
}

/**
 * One table for every list of the console (TanStack Table + Virtual): column headers that sort
 * on click, columns resizable by dragging their edge, columns shown or hidden from "Columns",
 * all remembered per table; rows are virtualized and keyboard-driven (↑/↓ move, Enter opens,
 * Space selects, Home/End jump).
 */
export function DataTable<T extends RowData>(props: DataTableProps<T>) {
  const [state, setState] = useRemembered<Remembered>(`table.${props.storageKey}`, {
    sorting: props.defaultSorting ?? [],
    sizing: {},
    visibility: Object.fromEntries((props.defaultHidden ?? []).map((id) => [id, false])),
  });
  const { onSortingChange } = props;
  useEffect(() => onSortingChange?.(state.sorting), [state.sorting, onSortingChange]);

  const table = useTable({
    features: dataTableFeatures,
    columns: props.columns,
    data: props.data,
    getRowId: (row: T) => props.rowId(row),
    columnResizeMode: 'onChange',
    manualSorting: props.serverSort !== undefined,
    state: {
      sorting: props.serverSort?.sorting ?? state.sorting,
      columnSizing: state.sizing,
      columnVisibility: state.visibility,
    },
    onSortingChange: (u) => {
      const server = props.serverSort;
      if (server) server.onChange(typeof u === 'function' ? u(server.sorting) : u);
      else setState((s) => ({ ...s, sorting: typeof u === 'function' ? u(s.sorting) : u }));
    },
    onColumnSizingChange: (u) => setState((s) => ({ ...s, sizing: typeof u === 'function' ? u(s.sizing) : u })),
    onColumnVisibilityChange: (u) =>
      setState((s) => ({ ...s, visibility: typeof u === 'function' ? u(s.visibility) : u })),
  });
  const rows = table.getRowModel().rows;
  const rowOrder = JSON.stringify(rows.map((r) => r.id));
  const sortKey = JSON.stringify(props.serverSort?.sorting ?? state.sorting);
  const reported = useRef<{ order: string; sort: string } | null>(null);
  const onRowOrderRef = useRef(props.onRowOrder);
  onRowOrderRef.current = props.onRowOrder;
  useEffect(() => {
    const last = reported.current;
    if (last?.order === rowOrder && last.sort === sortKey) return;
    reported.current = { order: rowOrder, sort: sortKey };
    onRowOrderRef.current?.(JSON.parse(rowOrder) as string[], last !== null && last.sort !== sortKey);
  }, [rowOrder, sortKey]);
  const [cursor, setCursor] = useState(0);
  // The keyboard cursor goes to a row opened from elsewhere (a link, the inbox's j/k), so ↑/↓ go on
  // from there. Only when another row opens: rows changing under it leave the cursor where it is.
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const { openId } = props;
  useEffect(() => {
    if (openId === null || openId === undefined) return;
    const index = rowsRef.current.findIndex((r) => r.id === openId);
    if (index >= 0) setCursor(index);
  }, [openId]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    // Rows start below the sticky head, and a row scrolled to is not hidden under it.
    scrollMargin: HEAD_HEIGHT,
    scrollPaddingStart: HEAD_HEIGHT,
    overscan: 10,
  });
  const [choosing, setChoosing] = useState(false);
  const lastShown = virtualizer.getVirtualItems().at(-1)?.index ?? 0;
  const { onNearEnd } = props;
  useEffect(() => {
    if (rows.length > 0 && lastShown >= rows.length - 20) onNearEnd?.();
  }, [lastShown, rows.length, onNearEnd]);
  const at = Math.min(cursor, Math.max(rows.length - 1, 0));
  const cursorRow = rows[at]?.original;
  const { onCursorChange } = props;
  useEffect(() => {
    if (cursorRow !== undefined) onCursorChange?.(cursorRow);
  }, [cursorRow, onCursorChange]);

  /** One key on the table; true when it was the table's (the caller prevents the default). */
  const handleKey = (key: string, scoped: boolean): boolean => {
    const row = rows[at];
    const move = (to: number) => {
      const next = Math.max(0, Math.min(rows.length - 1, to));
      setCursor(next);
      virtualizer.scrollToIndex(next);
      return true;
    };
    if (key === 'j' || (scoped && key === 'ArrowDown')) return move(at + 1);
    if (key === 'k' || (scoped && key === 'ArrowUp')) return move(at - 1);
    if (!scoped && key !== 'x') return false;
    if (key === 'Home') return move(0);
    if (key === 'End') return move(rows.length - 1);
    if (key === 'PageDown') return move(at + 10);
    if (key === 'PageUp') return move(at - 10);
    if (key === 'Enter' && row && props.onOpen) {
      props.onOpen(row.original);
      return true;
    }
    if ((key === ' ' || key === 'x') && row && props.onToggle) {
      props.onToggle(row.original);
      return true;
    }
    if (key === 'Escape' && props.onClose) {
      props.onClose();
      return true;
    }
    return false;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return;
    if (handleKey(e.key, true)) e.preventDefault();
  };
  // The Queue's j/k/x work anywhere in its area; the grid handles its own focus (stopPropagation not needed:
  // the grid's own handler runs first and the window one skips events that start inside a grid).
  const keysRef = useRef(handleKey);
  keysRef.current = handleKey;
  const { windowKeys } = props;
  useEffect(() => {
    if (!windowKeys) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      if (e.target instanceof HTMLElement && e.target.closest('[role="grid"]')) return;
      if ((e.key === 'j' || e.key === 'k' || e.key === 'x') && keysRef.current(e.key, false)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [windowKeys]);

  const columns = table.getVisibleLeafColumns();
  const template = columns.map((c) => `${c.getSize()}px`).join(' ');
  const totalWidth = columns.reduce((sum, c) => sum + c.getSize(), 0);
  const activeId = rows[at] ? `${props.storageKey}-row-${rows[at].id}` : undefined;
  return (
    <div className={styles.wrap} data-testid={props.testId}>
      <div className={styles.tools}>
        {props.note && <div className={styles.note}>{props.note}</div>}
        <button
          type="button"
          className={styles.choose}
          aria-expanded={choosing}
          onClick={() => setChoosing((c) => !c)}
          data-testid={props.testId && `${props.testId}-columns`}
        >
          Columns
        </button>
        {choosing && (
          <fieldset className={styles.chooser}>
            <legend>Shown columns</legend>
            {table
              .getAllLeafColumns()
              .filter((c) => c.getCanHide() && c.columnDef.header !== '')
              .map((c) => (
                <label key={c.id}>
                  <input type="checkbox" checked={c.getIsVisible()} onChange={() => c.toggleVisibility()} />{' '}
                  {typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id}
                </label>
              ))}
          </fieldset>
        )}
      </div>
      <div
        // The grid is the one scroller (head sticky, rows virtual): focusable, so the keyboard reaches every row.
        ref={scroller}
        className={styles.grid}
        style={{
          height: `min(${props.height ?? '60vh'}, ${Math.max(rows.length, 1) * ROW_HEIGHT + HEAD_HEIGHT + 4}px)`,
        }}
        role="grid"
        aria-label={props.label}
        aria-rowcount={rows.length + 1}
        aria-activedescendant={activeId}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid={props.testId && `${props.testId}-grid`}
      >
        <div
          className={styles.head}
          role="row"
          style={{ gridTemplateColumns: template, height: HEAD_HEIGHT, minWidth: `${totalWidth}px` }}
        >
          {table.getHeaderGroups()[0]?.headers.map((header) => {
            const sorted = header.column.getIsSorted();
            return (
              <div
                key={header.id}
                role="columnheader"
                className={styles.th}
                aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
              >
                {header.column.getCanSort() ? (
                  <button
                    type="button"
                    className={styles.sort}
                    onClick={header.column.getToggleSortingHandler()}
                    title={`Sort by ${typeof header.column.columnDef.header === 'string' ? header.column.columnDef.header : header.column.id}`}
                    data-testid={props.testId && `${props.testId}-sort-${header.column.id}`}
                  >
                    <table.FlexRender header={header} />
                    <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                  </button>
                ) : (
                  <table.FlexRender header={header} />
                )}
                <span
                  className={styles.resizer}
                  onMouseDown={header.getResizeHandler()}
                  onDoubleClick={() => header.column.resetSize()}
                  aria-hidden="true"
                />
              </div>
            );
          })}
        </div>
        <div
          className={styles.body}
          // As wide as the columns: head and rows scroll sideways together.
          style={{ minWidth: `${totalWidth}px` }}
        >
          {rows.length === 0 && <div className={styles.empty}>{props.empty ?? 'Nothing to show'}</div>}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index]!;
              const open = props.openId === row.id;
              return (
                <div
                  key={row.id}
                  id={`${props.storageKey}-row-${row.id}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={item.index === at}
                  className={`${styles.row} ${item.index === at ? styles.cursor : ''} ${open ? styles.open : ''}`}
                  style={{
                    gridTemplateColumns: template,
                    height: ROW_HEIGHT,
                    transform: `translateY(${item.start - HEAD_HEIGHT}px)`,
                  }}
                  onClick={() => {
                    setCursor(item.index);
                    props.onOpen?.(row.original);
                  }}
                  data-testid={props.testId && `${props.testId}-row`}
                  data-row-id={row.id}
                  {...props.rowAttributes?.(row.original)}
                >
                  {row
                    .getAllCells()
                    .filter((cell) => cell.column.getIsVisible())
                    .map((cell) => (
                      <div key={cell.id} role="gridcell" className={styles.td}>
                        <table.FlexRender cell={cell} />
                      </div>
                    ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

/** The class of a detail's facts list (`<dl>`: labels beside values, long values wrap). */
export const detailFacts = styles.facts ?? '';

const SPLIT_MIN = 320;
/** The table keeps at least this much room beside an open detail. */
const TABLE_MIN = 420;

/**
 * A table with its detail beside it: the detail takes a remembered width (drag the divider, or
 * focus it and use ←/→), the table keeps the rest and never less than TABLE_MIN; on a narrow
 * window the detail goes below. Without a detail the table has the whole width.
 */
export function DetailSplit({
  storageKey,
  detail,
  children,
}: {
  /** Names the remembered width (one per area). */
  storageKey: string;
  detail: ReactNode;
  children: ReactNode;
}) {
  const [state, setState] = useRemembered(`split.${storageKey}`, { width: 460 });
  const box = useRef<HTMLDivElement>(null);
  const max = () => Math.max(SPLIT_MIN, (box.current?.clientWidth ?? 1200) - TABLE_MIN);
  const clamp = (w: number) => Math.round(Math.max(SPLIT_MIN, Math.min(max(), w)));
  const width = clamp(state.width);
  const open = detail !== null && detail !== undefined && detail !== false;

  const drag = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const right = box.current?.getBoundingClientRect().right ?? 0;
    const onMove = (ev: PointerEvent) => setState({ width: clamp(right - ev.clientX) });
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 120 : 40;
    // The divider moves with the arrow: ← widens the detail, → narrows it.
    if (e.key === 'ArrowLeft') setState({ width: clamp(width + step) });
    else if (e.key === 'ArrowRight') setState({ width: clamp(width - step) });
    else return;
    e.preventDefault();
  };

  return (
    <div
      ref={box}
      className={open ? styles.split : styles.single}
      style={open ? ({ '--detail-width': `${width}px` } as CSSProperties) : undefined}
      data-testid={`${storageKey}-split`}
    >
      <div className={styles.main}>{children}</div>
      {open && (
        <>
          <div
            className={styles.divider}
            role="separator"
            aria-orientation="vertical"
            aria-label="Resize the detail (← wider, → narrower)"
            aria-valuenow={width}
            aria-valuemin={SPLIT_MIN}
            aria-valuemax={max()}
            tabIndex={0}
            onPointerDown={drag}
            onKeyDown={onKey}
            onDoubleClick={() => setState({ width: 460 })}
            data-testid={`${storageKey}-divider`}
          />
          <div className={styles.detail}>{detail}</div>
        </>
      )}
    </div>
  );
}
