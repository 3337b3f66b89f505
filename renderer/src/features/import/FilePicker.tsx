import { useId, useRef, useState } from 'react';

const ACCEPT = '.csv,.txt,.tsv,.xlsx,.xls,.xlsm,.ods';

export function FilePicker({
  onFile,
  busy,
  fileName,
}: {
  onFile(f: File): void;
  busy: boolean;
  fileName: string | null;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hint = useId();
  return (
    <div
      className={`dropzone${over ? ' dropzone-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer.files[0];
        if (f) onFile(f);
      }}
    >
      {busy ? (
        <p role="status" aria-live="polite">
          <span className="spinner" aria-hidden="true" /> Reading {fileName}…
        </p>
      ) : (
        <>
          <p className="dropzone-title">Drop a contact file here</p>
          <p id={hint} className="muted">
            Excel (.xlsx, .xls), OpenDocument (.ods) or CSV. The file stays on this computer.
          </p>
          <button type="button" className="primary" onClick={() => input.current?.click()} aria-describedby={hint}>
            Choose a file…
          </button>
          <input
            ref={input}
            type="file"
            accept={ACCEPT}
            className="visually-hidden"
            tabIndex={-1}
            aria-label="Contact file"
            data-testid="import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) onFile(f);
            }}
          />
        </>
      )}
    </div>
  );
}
