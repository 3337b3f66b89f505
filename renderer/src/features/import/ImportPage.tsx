import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type RouteOutput } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote, ProgressBar } from '../../components/ui.tsx';
import { messageOf } from '../../components/useAction.ts';
import { formatCount } from '../../lib/format.ts';
import { browserStorage, rememberPhoneChoice } from '../../lib/mergeFields.ts';
import type { FromWorker, Layout } from '../../workers/protocol.ts';
import { FilePicker } from './FilePicker.tsx';
import { MappingStep, type Mapping } from './MappingStep.tsx';
import { ImportReportView } from './ImportReportView.tsx';
import { useParser } from './useParser.ts';
import { MAX_IMPORT_CHUNK } from '../../../../shared/ipc/schemas.ts';

type Report = RouteOutput<'imports.commit'>;
type Counts = RouteOutput<'imports.add'>;

type Step =
  | { step: 'pick' }
  | { step: 'reading'; fileName: string }
  | { step: 'map'; layout: Layout }
  | { step: 'importing'; layout: Layout; read: number; done: number; total: number; counts: Counts | null }
  | { step: 'report'; report: Report };

// Rows per imports.add: the contract's limit (2,000 rows stay within the 50 ms a chunk may take in
// the engine host; 5,000 took 60-90 ms). tests/e2e/import-large.spec.ts checks it.
const CHUNK = MAX_IMPORT_CHUNK;

const phoneName = (layout: Layout, mapping: Mapping) =>
  layout.headers[mapping.phoneColumn] || `column_${mapping.phoneColumn + 1}`;

/**
 * The chosen fields with the phone column in its place: the engine keeps the phone column even
 * when it is no merge field, and would put it last, so the rejected-rows file came out with its
 * columns in another order than the user's file.
 */
function inFileOrder(layout: Layout, mapping: Mapping): string[] {
  const cols = mapping.fields.map((f) => ({ column: f.column, name: f.name }));
  if (!cols.some((f) => f.column === mapping.phoneColumn))
    cols.push({ column: mapping.phoneColumn, name: phoneName(layout, mapping) });
  return cols.sort((a, b) => a.column - b.column).map((f) => f.name);
}

export function ImportPage() {
  const { settings } = useApp();
  const [state, setState] = useState<Step>({ step: 'pick' });
  const [error, setError] = useState<string | null>(null);
  const [listName, setListName] = useState('');
  const importId = useRef<string | null>(null);
  const cancelled = useRef(false);
  const file = useRef<File | null>(null);
  const phoneTicked = useRef(false);

  const fail = useCallback((message: string) => {
    setError(message);
  }, []);

  const onMessage = useCallback((m: FromWorker) => {
    switch (m.type) {
      case 'layout':
        setError(null);
        setState({ step: 'map', layout: m.layout });
        return;
      case 'chunk': {
        const id = importId.current;
        if (!id || cancelled.current) return;
        api.imports.add({ importId: id, rows: m.rows }).then(
          (counts) => {
            if (cancelled.current) return;
            setState((s) =>
              s.step === 'importing'
                ? {
                    ...s,
                    read: m.read,
                    done: m.progress.done,
                    total: Math.max(m.progress.total, m.progress.done),
                    counts,
                  }
                : s,
            );
            parser.post({ type: 'next' });
          },
          (e) => abort(messageOf(e)),
        );
        return;
      }
      case 'end': {
        const id = importId.current;
        if (!id || cancelled.current) return;
        api.imports.commit({ importId: id }).then(
          (report) => {
            importId.current = null;
            rememberPhoneChoice(browserStorage(), report.list, report.phoneColumn, phoneTicked.current);
            parser.stop();
            setState({ step: 'report', report });
          },
          (e) => abort(messageOf(e)),
        );
        return;
      }
      case 'error':
        if (importId.current) abort(m.message);
        else {
          fail(m.message);
          setState((s) => (s.step === 'reading' ? { step: 'pick' } : s));
        }
        return;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const parser = useParser(onMessage);

  // Leaving the page mid-import cancels it, so no half-stored list waits in the engine.
  useEffect(
    () => () => {
      const id = importId.current;
      importId.current = null;
      cancelled.current = true;
      if (id) api.imports.cancel({ importId: id }).catch(() => undefined);
    },
    [],
  );

  function abort(message: string | null) {
    cancelled.current = true;
    const id = importId.current;
    importId.current = null;
    parser.post({ type: 'cancel' });
    const back = () => setState((s) => (s.step === 'importing' ? { step: 'map', layout: s.layout } : s));
    if (id) {
      api.imports.cancel({ importId: id }).then(back, (e) => {
        back();
        setError(messageOf(e));
      });
    } else back();
    if (message) setError(`The import stopped: ${message} Nothing was saved; fix the problem and import again.`);
  }

  function open(f: File) {
    file.current = f;
    setError(null);
    setListName(f.name.replace(/\.[^.]+$/, '').slice(0, 200));
    setState({ step: 'reading', fileName: f.name });
    parser.start();
    parser.post({ type: 'open', file: f });
  }

  async function startImport(layout: Layout, mapping: Mapping) {
    setError(null);
    const name = listName.trim();
    if (!name) {
      setError('Give the new list a name before importing.');
      return;
    }
    cancelled.current = false;
    try {
      const begun = await api.imports.begin({
        list: name,
        fields: inFileOrder(layout, mapping),
        phoneColumn: phoneName(layout, mapping),
        source: layout.fileName,
        country: settings?.['phone.defaultCountry'],
        sheet: layout.sheet,
        headerRow: layout.headerRow > 0 ? layout.headerRow : undefined,
      });
      importId.current = begun.importId;
      phoneTicked.current = mapping.fields.some((f) => f.column === mapping.phoneColumn);
      setState({ step: 'importing', layout, read: 0, done: 0, total: 1, counts: null });
      parser.post({
        type: 'stream',
        plan: { phoneColumn: mapping.phoneColumn, fields: mapping.fields, chunkSize: CHUNK },
      });
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <div className="page">
      <h1 tabIndex={-1}>Import contacts</h1>
      <p className="lede">
        Bring in a spreadsheet or CSV of customers. Numbers are repaired and de-duplicated; nothing is sent from this
        page.
      </p>

      {state.step === 'pick' || state.step === 'reading' ? (
        <FilePicker
          busy={state.step === 'reading'}
          fileName={state.step === 'reading' ? state.fileName : null}
          onFile={open}
        />
      ) : null}

      {state.step === 'map' ? (
        <MappingStep
          key={`${state.layout.sheet ?? ''}:${state.layout.headerRow}`}
          layout={state.layout}
          listName={listName}
          onListName={setListName}
          onChoose={(sheet, headerRow) => {
            setState({ step: 'reading', fileName: state.layout.fileName });
            parser.post({ type: 'choose', sheet, headerRow });
          }}
          onImport={(mapping) => void startImport(state.layout, mapping)}
          onOtherFile={() => {
            parser.stop();
            setState({ step: 'pick' });
          }}
        />
      ) : null}

      {state.step === 'importing' ? (
        <section className="card" aria-labelledby="importing-h">
          <h2 id="importing-h">Importing {state.layout.fileName}</h2>
          <ProgressBar value={state.done} max={state.total} label="Rows imported" />
          <p className="muted" aria-live="polite">
            {formatCount(state.read)} rows read
            {state.layout.dataRows != null ? ` of ${formatCount(state.layout.dataRows)}` : ''}
            {state.counts
              ? ` · ${formatCount(state.counts.valid)} valid, ${formatCount(state.counts.invalid)} invalid, ${formatCount(state.counts.duplicates)} duplicates`
              : ''}
          </p>
          <div className="row-actions">
            <button type="button" onClick={() => abort(null)}>
              Cancel import
            </button>
          </div>
        </section>
      ) : null}

      {state.step === 'report' ? (
        <ImportReportView report={state.report} onAnother={() => setState({ step: 'pick' })} />
      ) : null}

      <ErrorNote error={error} />
    </div>
  );
}
