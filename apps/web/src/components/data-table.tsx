/**
 * A table of rows in a box that scrolls sideways on its own (never the page), with a caption for screen readers and
 * the first column as each row's header. Every list page uses it.
 */
import type { ReactNode } from 'react';

export interface Column<Row> {
  readonly header: string;
  /** Visually hidden header (an actions column). */
  readonly isHeaderHidden?: boolean;
  readonly cell: (row: Row) => ReactNode;
}

export interface DataTableProps<Row> {
  readonly caption: string;
  readonly columns: readonly Column<Row>[];
  readonly rows: readonly Row[];
  readonly rowKey: (row: Row) => string;
  /** Extra attributes of a row (a `data-*` hook for tests). */
  readonly rowAttributes?: (row: Row) => Record<string, string>;
  /** Said when there is no row. */
  readonly empty?: ReactNode;
}

export function DataTable<Row>({ caption, columns, rows, rowKey, rowAttributes, empty }: DataTableProps<Row>) {
  return (
    <>
      {/* A region that may scroll sideways: focusable, so a keyboard can scroll it too (WCAG 2.1.1). */}
      <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
        <table className="table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col">
                  {column.isHeaderHidden === true ? (
                    <span className="visually-hidden">{column.header}</span>
                  ) : (
                    column.header
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={rowKey(row)} {...rowAttributes?.(row)}>
                {columns.map((column, index) =>
                  index === 0 ? (
                    <th key={column.header} scope="row">
                      {column.cell(row)}
                    </th>
                  ) : (
                    <td key={column.header}>{column.cell(row)}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && empty !== undefined ? <p>{empty}</p> : null}
    </>
  );
}
