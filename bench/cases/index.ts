import { importEngine, csvBaseline, xlsxBaseline } from './import.ts';
import { analyzeCalls, renderRows } from './preview.ts';
import { rateSend, overheadEngine, overheadBaseline, ledgerAlone } from './send.ts';
import { dlrEngine, dlrBaseline } from './dlr.ts';
import { startupEngine, startupBaseline } from './startup.ts';
import { lagImportWhileSending } from './lag.ts';
import { seedDb } from './seed.ts';
import { exportEngine } from './export.ts';

export const jobs = {
  importEngine,
  csvBaseline,
  xlsxBaseline,
  analyzeCalls,
  renderRows,
  rateSend,
  overheadEngine,
  overheadBaseline,
  ledgerAlone,
  dlrEngine,
  dlrBaseline,
  startupEngine,
  startupBaseline,
  lagImportWhileSending,
  seedDb,
  exportEngine,
} as const;
