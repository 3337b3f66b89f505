/** Messages between the Import page and the parsing worker. */
import type { RawContactRow } from '../../../shared/import/rows.ts';

export interface SheetInfo {
  name: string;
  rows: number;
}

export interface Layout {
  fileName: string;
  /** spreadsheets: every sheet and the one chosen; CSV: a single unnamed sheet */
  sheets: SheetInfo[];
  sheet: string | null;
  /** 1-based row of the header, as the user sees it in the file */
  headerRow: number;
  headers: string[];
  /** the column detected as holding phone numbers, -1 when none looks like it */
  phoneColumn: number;
  /** the first rows after the header, for the mapping step */
  sample: string[][];
  /** the rows above and including the header, so the user can see why that row was picked */
  top: string[][];
  /** rows below the header (blank ones included); null for CSV, which is not read to the end before importing */
  dataRows: number | null;
  encoding: string | null;
  /** why this sheet and header row were chosen, in one line */
  reason: string;
}

export interface StreamPlan {
  phoneColumn: number;
  fields: Array<{ column: number; name: string }>;
  chunkSize: number;
}

export type ToWorker =
  | { type: 'open'; file: File }
  | { type: 'choose'; sheet: string | null; headerRow: number }
  | { type: 'stream'; plan: StreamPlan }
  | { type: 'next' }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'layout'; layout: Layout }
  /** progress is in rows for spreadsheets and in bytes for CSV */
  | { type: 'chunk'; rows: RawContactRow[]; read: number; progress: { done: number; total: number } }
  | { type: 'end'; total: number }
  | { type: 'error'; message: string };
