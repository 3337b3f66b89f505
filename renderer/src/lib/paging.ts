/** Windowing and paging math for long lists (a million contacts must not become a million DOM nodes). */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  overscan?: number;
  maxHeight?: number;
}
export interface WindowRange {
  start: number;
  end: number;
  offsetY: number;
  totalHeight: number;
}

/**
 * Browsers cap an element's height (Chromium near 33 M px, Firefox near 17 M px), and a million
 * rows of 32 px is past that. Above this height the scrollbar maps proportionally onto the rows.
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/** Rows [start, end) to render and where the first one sits inside the scroll area. */
export function windowRange({
  scrollTop,
  viewportHeight,
  rowHeight,
  total,
  overscan = 6,
  maxHeight = MAX_SCROLL_HEIGHT,
}: WindowInput): WindowRange {
  const realHeight = Math.max(0, total * rowHeight);
  const totalHeight = Math.min(realHeight, maxHeight);
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetY: 0, totalHeight };
  const maxTop = Math.max(0, totalHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const realMaxTop = Math.max(0, realHeight - viewportHeight);
  const realTop = maxTop === 0 ? 0 : (top / maxTop) * realMaxTop;
  const first = Math.floor(realTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  // Place row `start` so that the row at realTop lands at the top of the viewport.
  const offsetY = top - (realTop - start * rowHeight);
  return { start, end, offsetY, totalHeight };
}

export function pageCount(total: number, pageSize: number): number {
  if (pageSize <= 0) return 0;
  return Math.max(1, Math.ceil(Math.max(0, total) / pageSize));
}

/** 0-based page clamped into range. */
export function clampPage(page: number, total: number, pageSize: number): number {
  const last = pageCount(total, pageSize) - 1;
  if (!Number.isFinite(page)) return 0;
  return Math.min(Math.max(0, Math.floor(page)), last);
}

/** Which fixed-size block holds row `index`, so a windowed list fetches rows from the engine a block at a time. */
export function blockOf(index: number, blockSize: number): { block: number; offset: number } {
  const block = Math.floor(index / blockSize);
  return { block, offset: block * blockSize };
}

/** "Showing 101–200 of 1,234" in numbers. */
export function pageBounds(page: number, total: number, pageSize: number): { from: number; to: number } {
  if (total <= 0) return { from: 0, to: 0 };
  const p = clampPage(page, total, pageSize);
  return { from: p * pageSize + 1, to: Math.min(total, (p + 1) * pageSize) };
}
