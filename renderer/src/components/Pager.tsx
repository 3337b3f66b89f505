import { formatCount } from '../lib/format.ts';
import { pageBounds, pageCount } from '../lib/paging.ts';

export function Pager({
  page,
  total,
  size,
  onPage,
}: {
  page: number;
  total: number;
  size: number;
  onPage(p: number): void;
}) {
  const pages = pageCount(total, size);
  if (pages <= 1) return null;
  const { from, to } = pageBounds(page, total, size);
  return (
    <div className="pager" role="group" aria-label="Pages">
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        {formatCount(from)}–{formatCount(to)} of {formatCount(total)}
      </span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </div>
  );
}
