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
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
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

function recall(key: string): Remembered {
  const empty = { sorting: [], sizing: {}, visibility: {} };
  try {
    const raw = localStorage.getItem(`flightdeck.table.${key}`);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === 'object') return { ...empty, ...(parsed as Partial<Remembered>) };
  } catch {
    // A value another version wrote, or storage refused: start from the defaults.
  }
  return empty;
}

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
}

/**
 * One table for every list of the console (TanStack Table + Virtual): column headers that sort
 * on click, columns resizable by dragging their edge, columns shown or hidden from "Columns",
 * all remembered per table; rows are virtualized and keyboard-driven (↑/↓ move, Enter opens,
 * Space selects, Home/End jump).
 */
export function DataTable<T extends RowData>(props: DataTableProps<T>) {
  const [state, setState] = useState<Remembered>(() => recall(props.storageKey));
  useEffect(() => {
    try {
      localStorage.setItem(`flightdeck.table.${props.storageKey}`, JSON.stringify(state));
    } catch {
      // Storage full or refused: the layout is simply not remembered.
    }
  }, [props.storageKey, state]);

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
  const [cursor, setCursor] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const [choosing, setChoosing] = useState(false);
  const lastShown = virtualizer.getVirtualItems().at(-1)?.index ?? 0;
  const { onNearEnd } = props;
  useEffect(() => {
    if (rows.length > 0 && lastShown >= rows.length - 20) onNearEnd?.();
  }, [lastShown, rows.length, onNearEnd]);
  const at = Math.min(cursor, Math.max(rows.length - 1, 0));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[at];
    const move = (to: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, to));
      setCursor(next);
      virtualizer.scrollToIndex(next);
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if (e.key === 'Enter' && row) {
      e.preventDefault();
      props.onOpen?.(row.original);
    } else if (e.key === ' ' && row && props.onToggle) {
      e.preventDefault();
      props.onToggle(row.original);
    }
  };

  const columns = table.getVisibleLeafColumns();
  const template = columns.map((c) => `${c.getSize()}px`).join(' ');
  const activeId = rows[at] ? `${props.storageKey}-row-${rows[at].id}` : undefined;
  return (
    <div className={styles.wrap} data-testid={props.testId}>
      <div className={styles.tools}>
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
            {table.getAllLeafColumns().map((c) => (
              <label key={c.id}>
                <input type="checkbox" checked={c.getIsVisible()} onChange={() => c.toggleVisibility()} />{' '}
                {typeof c.columnDef.header === 'string' ? c.columnDef.header : c.id}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <div
        className={styles.grid}
        role="grid"
        aria-label={props.label}
        aria-rowcount={rows.length + 1}
        aria-activedescendant={activeId}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid={props.testId && `${props.testId}-grid`}
      >
        <div className={styles.head} role="row" style={{ gridTemplateColumns: template }}>
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
                    tabIndex={-1}
                    onClick={header.column.getToggleSortingHandler()}
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
          ref={scroller}
          // As wide as the columns: the grid scrolls head and rows sideways together (the body alone never does).
          style={{
            height: `min(${props.height ?? '60vh'}, ${Math.max(rows.length, 3) * ROW_HEIGHT + 2}px)`,
            minWidth: `${columns.reduce((sum, c) => sum + c.getSize(), 0)}px`,
          }}
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
                    transform: `translateY(${item.start}px)`,
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
