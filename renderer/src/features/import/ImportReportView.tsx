import { useCallback, useId, useState } from 'react';
import { api, download, type RouteOutput } from '../../api/index.ts';
import { useApp } from '../../appState.tsx';
import { ErrorNote, Section, Stat } from '../../components/ui.tsx';
import { useAction } from '../../components/useAction.ts';
import { VirtualTable, type Column } from '../../components/VirtualTable.tsx';
import { formatCount } from '../../lib/format.ts';
import { browserStorage, mergeFieldsOf } from '../../lib/mergeFields.ts';
import { go } from '../../route.ts';
import { cutCellsNote } from '../../../../shared/exports.ts';

type Report = RouteOutput<'imports.commit'>;
type Reject = RouteOutput<'lists.rejects'>['rows'][number];

const KIND: Record<Reject['kind'], string> = { invalid: 'Invalid', duplicate: 'Duplicate', suppressed: 'Opted out' };
const COLUMNS: Column<Reject>[] = [
  { key: 'row', label: 'Row', width: '5rem', render: (r) => r.row },
  { key: 'kind', label: 'Problem', width: '8rem', render: (r) => KIND[r.kind] },
  // the cells cut long text with an ellipsis: the whole of it shows on hover
  {
    key: 'value',
    label: 'Value',
    width: 'minmax(8rem, 1fr)',
    render: (r) => (
      <span className="mono" title={r.value || '(empty)'}>
        {r.value || '(empty)'}
      </span>
    ),
  },
  {
    key: 'reason',
    label: 'Reason',
    width: 'minmax(12rem, 2fr)',
    render: (r) => <span title={r.reason}>{r.reason}</span>,
  },
];

export function ImportReportView({ report, onAnother }: { report: Report; onAnother(): void }) {
  const { setDraft } = useApp();
  const exp = useAction();
  const rejected = report.invalid + report.duplicates + report.suppressed;
  const mergeFields = mergeFieldsOf(browserStorage(), { ...report.list, fields: report.fields });
  const fetchPage = useCallback(
    (offset: number, limit: number) => api.lists.rejects({ listId: report.list.id, offset, limit }).then((p) => p.rows),
    [report.list.id],
  );
  const [saved, setSaved] = useState<string | null>(null);
  const hintId = useId();

  async function exportRejects(format: 'csv' | 'xlsx') {
    const r = await exp.run(async () => {
      const res = await api.lists.exportRejects({ listId: report.list.id, format });
      const path = await download(res);
      return { res, path };
    });
    if (r) {
      const cut = cutCellsNote(r.res.cutCells);
      setSaved(
        r.res.saved
          ? `${formatCount(r.res.rows)} rejected rows saved${r.path ? ` to ${r.path}` : ` as ${r.res.name}`}.${cut ? ` ${cut}` : ''}`
          : null,
      );
    }
  }

  return (
    <>
      <Section
        title={`List “${report.list.name}” is ready`}
        actions={
          <button type="button" onClick={onAnother}>
            Import another file
          </button>
        }
      >
        <div className="stats" data-testid="import-report">
          <Stat label="valid contacts" value={formatCount(report.valid)} tone="good" />
          <Stat label="invalid numbers" value={formatCount(report.invalid)} tone={report.invalid ? 'bad' : 'muted'} />
          <Stat
            label="duplicates removed"
            value={formatCount(report.duplicates)}
            tone={report.duplicates ? 'warn' : 'muted'}
          />
          <Stat
            label="opted out (suppressed)"
            value={formatCount(report.suppressed)}
            tone={report.suppressed ? 'warn' : 'muted'}
          />
        </div>
        <p className="muted">
          {formatCount(report.rows)} rows read{report.sheet ? ` from sheet “${report.sheet}”` : ''}, header on row{' '}
          {report.headerRow}, phone numbers from “{report.phoneColumn}”. Merge fields:{' '}
          {mergeFields.length ? mergeFields.map((f) => `{${f}}`).join(', ') : 'none'}.
        </p>
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            onClick={() => {
              setDraft({ listId: report.list.id });
              go({ page: 'compose' });
            }}
          >
            Write a message to this list
          </button>
        </div>
      </Section>

      {rejected > 0 ? (
        <Section
          title={`${formatCount(rejected)} rows were not imported`}
          actions={
            <>
              <button
                type="button"
                className="primary"
                disabled={exp.busy}
                onClick={() => void exportRejects('xlsx')}
                aria-describedby={hintId}
              >
                Export rejected rows (Excel)
              </button>
              <button type="button" disabled={exp.busy} onClick={() => void exportRejects('csv')}>
                Export (CSV)
              </button>
            </>
          }
        >
          <p className="hint" id={hintId}>
            Excel is safer for fixing: re-saving a CSV in Excel can turn long numbers into 2.34803E+12.
          </p>
          <p className="muted">
            Fix these in the exported file and import it as another list. Row numbers are those of the original file.
          </p>
          <VirtualTable label="Rejected rows" columns={COLUMNS} total={rejected} fetchPage={fetchPage} height={300} />
          <ErrorNote error={exp.error} />
          {saved ? (
            <p role="status" className="ok-note">
              {saved}
            </p>
          ) : null}
        </Section>
      ) : null}
    </>
  );
}
