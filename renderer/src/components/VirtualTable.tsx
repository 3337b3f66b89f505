import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { blockOf, windowRange } from '../lib/paging.ts';
import { messageOf } from './useAction.ts';

export interface Column<T> { key: string; label: string; width?: string; render(row: T): ReactNode }

const BLOCK = 200;

/**
 * A windowed table over rows fetched from the engine a block at a time: only the visible rows
 * exist in the DOM and in memory, so a list of a million contacts scrolls like a list of ten.
 * `fetchPage` is called with offsets that are multiples of the block size.
 */
export function VirtualTable<T>({ label, columns, total, fetchPage, rowHeight = 34, height = 420, version = 0, empty }: {
  label: string; columns: Column<T>[]; total: number;
  fetchPage(offset: number, limit: number): Promise<T[]>;
  rowHeight?: number; height?: number; version?: unknown; empty?: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [blocks, setBlocks] = useState<Map<number, T[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const pending = useRef(new Set<number>());
  const viewport = Math.min(height, Math.max(rowHeight * 3, total * rowHeight));

  // New data set: forget cached blocks and go back to the top.
  useLayoutEffect(() => {
    setBlocks(new Map());
    pending.current.clear();
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [version, fetchPage]);

  const range = useMemo(() => windowRange({ scrollTop, viewportHeight: viewport, rowHeight, total }), [scrollTop, viewport, rowHeight, total]);

  useEffect(() => {
    if (range.end <= range.start) return;
    let live = true;
    const first = blockOf(range.start, BLOCK).block;
    const last = blockOf(range.end - 1, BLOCK).block;
    for (let b = first; b <= last; b++) {
      if (blocks.has(b) || pending.current.has(b)) continue;
      pending.current.add(b);
      const block = b;
      fetchPage(block * BLOCK, BLOCK).then((rows) => {
        pending.current.delete(block);
        if (!live) return;
        setBlocks((m) => {
          const next = new Map(m);
          next.set(block, rows);
          // Keep memory flat while scrolling through a million rows.
          if (next.size > 12) for (const k of next.keys()) { if (Math.abs(k - block) > 6) next.delete(k); }
          return next;
        });
      }, (e) => { pending.current.delete(block); if (live) setError(messageOf(e)); });
    }
    return () => { live = false; };
  }, [range.start, range.end, blocks, fetchPage]);

  const rows: Array<{ index: number; row: T | undefined }> = [];
  for (let i = range.start; i < range.end; i++) {
    const { block, offset } = blockOf(i, BLOCK);
    rows.push({ index: i, row: blocks.get(block)?.[i - offset] });
  }
  const template = columns.map((c) => c.width ?? '1fr').join(' ');

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={total + 1}>
      <div className="vtable-head" role="rowgroup">
        <div className="vtable-row" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {columns.map((c) => <div key={c.key} role="columnheader" className="vtable-cell">{c.label}</div>)}
        </div>
      </div>
      {total === 0 ? <div className="vtable-empty">{empty ?? 'Nothing here yet.'}</div> : (
        <div
          className="vtable-body" role="rowgroup" ref={scroller} tabIndex={0}
          aria-label={`${label}: scroll with the arrow keys`}
          style={{ height: viewport }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          <div style={{ height: range.totalHeight, position: 'relative' }}>
            {rows.map(({ index, row }) => (
              <div
                key={index} className="vtable-row" role="row" aria-rowindex={index + 2}
                style={{ gridTemplateColumns: template, height: rowHeight, transform: `translateY(${range.offsetY + (index - range.start) * rowHeight}px)` }}
              >
                {row === undefined
                  ? <div role="cell" className="vtable-cell muted">Loading row {index + 1}…</div>
                  : columns.map((c) => <div key={c.key} role="cell" className="vtable-cell">{c.render(row)}</div>)}
              </div>
            ))}
          </div>
        </div>
      )}
      {error ? <p className="error-note" role="alert">{error}</p> : null}
    </div>
  );
}
