import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { blockOf, windowRange } from '../lib/paging.ts';
import { messageOf } from './useAction.ts';

export interface Column<T> {
  key: string;
  label: string;
  width?: string;
  render(row: T): ReactNode;
}

const BLOCK = 200;

/**
 * A windowed table over rows fetched from the engine a block at a time: only the visible rows
 * exist in the DOM and in memory, so a list of a million contacts scrolls like a list of ten.
 * `fetchPage` is called with offsets that are multiples of the block size.
 */
export function VirtualTable<T>({
  label,
  columns,
  total,
  fetchPage,
  rowHeight = 34,
  height = 420,
  version = 0,
  empty,
}: {
  label: string;
  columns: Column<T>[];
  total: number;
  fetchPage(offset: number, limit: number): Promise<T[]>;
  rowHeight?: number;
  height?: number;
  version?: unknown;
  empty?: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  // Each block remembers the data version it was fetched at: a newer version refetches it in the
  // background while the old rows stay on screen (no flicker on a live dashboard).
  const [blocks, setBlocks] = useState<Map<number, { v: unknown; rows: T[] }>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const pending = useRef(new Set<string>());
  // Bumped when the data set changes, so a late answer for the old one is dropped.
  const generation = useRef(0);
  const viewport = Math.min(height, Math.max(rowHeight * 3, total * rowHeight));

  // New data set (another filter or list): forget cached blocks and go back to the top.
  useLayoutEffect(() => {
    generation.current++;
    setBlocks(new Map());
    pending.current.clear();
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [fetchPage]);

  const range = useMemo(
    () => windowRange({ scrollTop, viewportHeight: viewport, rowHeight, total }),
    [scrollTop, viewport, rowHeight, total],
  );

  useEffect(() => {
    if (range.end <= range.start) return;
    const gen = generation.current;
    const first = blockOf(range.start, BLOCK).block;
    const last = blockOf(range.end - 1, BLOCK).block;
    for (let b = first; b <= last; b++) {
      const key = `${b}@${String(version)}`;
      if (blocks.get(b)?.v === version || pending.current.has(key)) continue;
      pending.current.add(key);
      const block = b;
      fetchPage(block * BLOCK, BLOCK).then(
        (rows) => {
          if (gen !== generation.current) return;
          pending.current.delete(key);
          setBlocks((m) => {
            const next = new Map(m);
            next.set(block, { v: version, rows });
            // Keep memory flat while scrolling through a million rows.
            if (next.size > 12)
              for (const k of next.keys()) {
                if (Math.abs(k - block) > 6) next.delete(k);
              }
            return next;
          });
        },
        (e) => {
          if (gen !== generation.current) return;
          pending.current.delete(key);
          setError(messageOf(e));
        },
      );
    }
  }, [range.start, range.end, blocks, fetchPage, version]);

  const rows: Array<{ index: number; row: T | undefined }> = [];
  for (let i = range.start; i < range.end; i++) {
    const { block, offset } = blockOf(i, BLOCK);
    rows.push({ index: i, row: blocks.get(block)?.rows[i - offset] });
  }
  const template = columns.map((c) => c.width ?? '1fr').join(' ');

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={total + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div key={c.key} role="columnheader" className="vtable-cell">
              {c.label}
            </div>
          ))}
        </div>
      </div>
      {total === 0 ? (
        <div className="vtable-empty">{empty ?? 'Nothing here yet.'}</div>
      ) : (
        <div
          className="vtable-body"
          role="rowgroup"
          ref={scroller}
          tabIndex={0}
          aria-label={`${label}: scroll with the arrow keys`}
          style={{ height: viewport }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          <div style={{ height: range.totalHeight, position: 'relative' }}>
            {rows.map(({ index, row }) => (
              <div
                key={index}
                className="vtable-row"
                role="row"
                aria-rowindex={index + 2}
                style={{
                  gridTemplateColumns: template,
                  height: rowHeight,
                  transform: `translateY(${range.offsetY + (index - range.start) * rowHeight}px)`,
                }}
              >
                {row === undefined ? (
                  <div role="cell" className="vtable-cell muted">
                    Loading row {index + 1}…
                  </div>
                ) : (
                  columns.map((c) => (
                    <div key={c.key} role="cell" className="vtable-cell">
                      {c.render(row)}
                    </div>
                  ))
                )}
              </div>
            ))}
          </div>
        </div>
      )}
      {error ? (
        <p className="error-note" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
