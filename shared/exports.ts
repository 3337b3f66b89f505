/** The most characters an Excel cell holds; a longer text cell makes Excel call the file damaged. */
export const XLSX_MAX_CELL_CHARS = 32_767;

/**
 * What an export says when its XLSX cut cells to fit (`cutCells` of the result), or null: the
 * same sentence in the app and from the command.
 */
export function cutCellsNote(cutCells: number): string | null {
  if (cutCells <= 0) return null;
  const n = cutCells.toLocaleString('en-US');
  return `${n} ${cutCells === 1 ? 'cell was' : 'cells were'} longer than an Excel cell holds (${XLSX_MAX_CELL_CHARS.toLocaleString('en-US')} characters) and ${cutCells === 1 ? 'was' : 'were'} cut: export as CSV for the whole text.`;
}

/** A file an export wrote: where, how many rows, and how many XLSX cells were cut to fit (0 for CSV). */
export interface ExportResult {
  file: string;
  rows: number;
  cutCells: number;
}
