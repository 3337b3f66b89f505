export { ImportError, baseName, noContactsBelowHeader, MAX_CELL_CHARS, type ImportErrorCode } from './errors.ts';
export {
  sniffEncoding,
  encodingOf,
  parseEncodingName,
  createStreamDecoder,
  looksBinary,
  type SniffedEncoding,
  type TextEncodingName,
  type StreamDecoder,
} from './encoding.ts';
export {
  detectDelimiter,
  detectNewline,
  createCsvReader,
  type Delimiter,
  type CsvReader,
  type CsvReaderOptions,
} from './csv.ts';
export { detectHeaderRow, detectColumns, fieldNames, columnLetter, looksLikePhone } from './columns.ts';
export {
  createContactRowBuilder,
  type ContactRowBuilder,
  type ImportPlan,
  type ParsedContactRow,
  type RowBuilderOptions,
} from './rows.ts';
export {
  detectFormat,
  checkZipSizes,
  checkZipInflation,
  isEncryptedOle2,
  DEFAULT_ZIP_LIMITS,
  type FileFormat,
  type ZipLimits,
} from './format.ts';
export {
  readWorkbook,
  listSheets,
  chooseSheet,
  pickSheet,
  SHEET_HEAD_ROWS,
  sheetRows,
  sheetRowCount,
  cellText,
  DEFAULT_SHEET_LIMITS,
  type Workbook,
  type SheetLimits,
} from './sheet.ts';
export {
  createTextImport,
  parseTextBytes,
  parseSheetBytes,
  parseContactBytes,
  parseXlsxSource,
  type ParsedSource,
  type SourceOptions,
  type TextImport,
  type XlsxSourceOptions,
} from './source.ts';
export {
  openXlsxStream,
  readHead,
  bytesSource,
  blobSource,
  NotStreamable,
  DEFAULT_XLSX_STREAM_LIMITS,
  type ByteSource,
  type StreamedWorkbook,
  type ReadRowsOptions,
  type SheetProgress,
  type XlsxStreamLimits,
} from './xlsx-stream.ts';
