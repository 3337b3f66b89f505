import { useId, useMemo, useState } from 'react';
import { suggestPhoneColumn } from '../../lib/mapping.ts';
import { formatCount } from '../../lib/format.ts';
import type { Layout } from '../../workers/protocol.ts';

export interface Mapping {
  phoneColumn: number;
  fields: Array<{ column: number; name: string }>;
}

const SAMPLE_ROWS = 6;

export function MappingStep({
  layout,
  listName,
  onListName,
  onChoose,
  onImport,
  onOtherFile,
}: {
  layout: Layout;
  listName: string;
  onListName(v: string): void;
  onChoose(sheet: string | null, headerRow: number): void;
  onImport(m: Mapping): void;
  onOtherFile(): void;
}) {
  // The worker's names are already unique and match what a file import through the engine would use.
  const names = layout.headers;
  const suggested = useMemo(
    () => (layout.phoneColumn >= 0 ? layout.phoneColumn : suggestPhoneColumn(layout.headers, layout.sample)),
    [layout],
  );
  const [phone, setPhone] = useState(suggested);
  const [include, setInclude] = useState<boolean[]>(() => layout.headers.map((_, i) => i !== suggested));
  const [headerRow, setHeaderRow] = useState(String(layout.headerRow));
  const ids = { sheet: useId(), header: useId(), list: useId(), phone: useId() };

  const fields = layout.headers
    .map((_, i) => i)
    .filter((i) => include[i])
    .map((i) => ({ column: i, name: names[i] }));
  const headerNum = Number(headerRow);
  const headerValid = Number.isInteger(headerNum) && headerNum >= 1;

  return (
    <>
      <section className="card" aria-labelledby="layout-h">
        <div className="card-head">
          <h2 id="layout-h">{layout.fileName}</h2>
          <div className="card-actions">
            <button type="button" onClick={onOtherFile}>
              Choose another file
            </button>
          </div>
        </div>
        <p className="muted" data-testid="layout-reason">
          {layout.reason}
        </p>
        <div className="form-row">
          {layout.sheets.length > 0 && layout.sheet !== null ? (
            <div className="field">
              <label htmlFor={ids.sheet}>Sheet</label>
              <select
                id={ids.sheet}
                value={layout.sheet}
                onChange={(e) => onChoose(e.target.value, 0)}
                data-testid="sheet-select"
              >
                {layout.sheets.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({formatCount(s.rows)} rows)
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={ids.header}>Header row</label>
            <div className="inline">
              <input
                id={ids.header}
                type="number"
                min={1}
                value={headerRow}
                onChange={(e) => setHeaderRow(e.target.value)}
                className="narrow"
                data-testid="header-row"
              />
              <button
                type="button"
                disabled={!headerValid || headerNum === layout.headerRow}
                onClick={() => onChoose(layout.sheet, headerNum)}
              >
                Use this row
              </button>
            </div>
          </div>
          <div className="field">
            <label htmlFor={ids.list}>Name of the new list</label>
            <input id={ids.list} value={listName} onChange={(e) => onListName(e.target.value)} maxLength={200} />
          </div>
        </div>
      </section>

      <section className="card" aria-labelledby="map-h">
        <h2 id="map-h">Columns</h2>
        <p className="muted">
          Choose the column with the phone numbers, and which columns become merge fields such as{' '}
          <code>{'{first_name}'}</code>.{' '}
          {layout.dataRows != null ? `${formatCount(layout.dataRows)} rows below the header.` : ''}
        </p>
        <div className="table-scroll">
          <table className="grid" data-testid="mapping-table">
            <thead>
              <tr>
                <th scope="col" className="rowhead">
                  #
                </th>
                {layout.headers.map((h, i) => (
                  <th scope="col" key={i} className={i === phone ? 'col-phone' : undefined}>
                    <div className="colhead">{h || <em className="muted">(blank)</em>}</div>
                    <label className="check">
                      <input
                        type="radio"
                        name={ids.phone}
                        checked={phone === i}
                        onChange={() => {
                          setPhone(i);
                          setInclude((v) => v.map((x, j) => (j === i ? false : x)));
                        }}
                        aria-label={`Phone numbers are in column ${h || i + 1}`}
                      />
                      Phone
                    </label>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={!!include[i]}
                        onChange={(e) => setInclude((v) => v.map((x, j) => (j === i ? e.target.checked : x)))}
                        aria-label={`Use column ${h || i + 1} as merge field {${names[i]}}`}
                      />
                      <code>{`{${names[i]}}`}</code>
                    </label>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {layout.sample.slice(0, SAMPLE_ROWS).map((r, ri) => (
                <tr key={ri}>
                  <th scope="row" className="rowhead">
                    {ri + 1}
                  </th>
                  {layout.headers.map((_, i) => (
                    <td key={i} className={i === phone ? 'col-phone' : undefined}>
                      {r[i] ?? ''}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {phone < 0 ? (
          <p className="error-note" role="alert">
            No column looks like phone numbers: choose the phone column above.
          </p>
        ) : null}
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={phone < 0 || !listName.trim()}
            onClick={() => onImport({ phoneColumn: phone, fields })}
          >
            {layout.dataRows != null ? `Import ${formatCount(layout.dataRows)} rows` : 'Import all rows'}
          </button>
        </div>
      </section>
    </>
  );
}
