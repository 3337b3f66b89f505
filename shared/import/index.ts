export { ImportError, baseName, MAX_CELL_CHARS, type ImportErrorCode } from './errors.ts';
export { sniffEncoding, encodingOf, parseEncodingName, createStreamDecoder, looksBinary, type SniffedEncoding, type TextEncodingName, type StreamDecoder } from './encoding.ts';
export { detectDelimiter, detectNewline, createCsvReader, type Delimiter, type CsvReader, type CsvReaderOptions } from './csv.ts';
export { detectHeaderRow, detectColumns, fieldNames, columnLetter, looksLikePhone } from './columns.ts';
export { createContactRowBuilder, type ContactRowBuilder, type ImportPlan, type ParsedContactRow, type RowBuilderOptions } from './rows.ts';
export { detectFormat, checkZipSizes, checkZipInflation, isEncryptedOle2, DEFAULT_ZIP_LIMITS, type FileFormat, type ZipLimits } from './format.ts';
export { readWorkbook, listSheets, chooseSheet, sheetRows, sheetRowCount, cellText, DEFAULT_SHEET_LIMITS, type Workbook, type SheetLimits } from './sheet.ts';
export { createTextImport, parseTextBytes, parseSheetBytes, parseContactBytes, type ParsedSource, type SourceOptions, type TextImport } from './source.ts';
