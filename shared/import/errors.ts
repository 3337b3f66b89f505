export type ImportErrorCode =
  | 'IMPORT_EMPTY'
  | 'IMPORT_NO_ROWS'
  | 'IMPORT_BINARY'
  | 'IMPORT_ENCODING'
  | 'IMPORT_TOO_LARGE'
  | 'IMPORT_ENCRYPTED'
  | 'IMPORT_BAD_QUOTES'
  | 'IMPORT_CELL_TOO_LONG'
  | 'IMPORT_NO_PHONE_COLUMN'
  | 'IMPORT_NO_SHEET'
  | 'IMPORT_UNREADABLE'
  | 'IMPORT_CANCELLED'
  | 'IMPORT_NOT_FOUND'
  | 'LIST_EXISTS'
  | 'LIST_NOT_FOUND'
  | 'LIST_NAME_REQUIRED'
  | 'IMPORT_BAD_COUNTRY';

/** One sentence for the user: what is wrong with which file, and what to do about it. */
export class ImportError extends Error {
  readonly code: ImportErrorCode;
  constructor(code: ImportErrorCode, message: string) {
    super(message);
    this.name = 'ImportError';
    this.code = code;
  }
}

/** Last path segment, for messages (works for / and \ paths, and plain names). */
export function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

/** Excel's own limit; longer cells are a broken file or an unclosed quote, never a contact. */
export const MAX_CELL_CHARS = 32_767;

/** A header and nothing under it: said the same way by the file import, the page and the commit. */
export function noContactsBelowHeader(fileName: string | null | undefined, headerRow: number): ImportError {
  return new ImportError(
    'IMPORT_NO_ROWS',
    `No contacts found below the header row${headerRow > 0 ? ` (row ${headerRow})` : ''}${fileName ? ` of ${fileName}` : ''}: add one row per contact under the header, then import again.`,
  );
}
