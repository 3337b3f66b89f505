/** The batches a sandbox has accepted, in memory and, when asked, in a SQLite file. */
// Static imports: the shell bundles this file, and a dynamic import() of a native module from
// inside app.asar is fragile (the bundler cannot see it, the asar path redirection may not apply).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export interface SandboxBatch {
  ref: string;
  clientRef: string | null;
  from: string;
  to: string[];
  text: string;
  /** accepted at, epoch ms */
  at: number;
  /** send_at as the client sent it (ISO), or null */
  sendAt: string | null;
  processed: number;
}

export interface BatchStore {
  add(b: SandboxBatch): void;
  /** by the sandbox's own reference or by the client's reference_id */
  find(ref: string): SandboxBatch | undefined;
  byClientRef(clientRef: string): SandboxBatch | undefined;
  hasRef(ref: string): boolean;
  all(): SandboxBatch[];
  close(): void;
}

interface Row {
  ref: string;
  client_ref: string | null;
  sender: string;
  recipients: string;
  text: string;
  at: number;
  send_at: string | null;
  processed: number;
}

/**
 * With a state file, a sandbox restarted together with the app still knows the batches it
 * accepted before: their reports keep progressing and their client references stay taken.
 */
export async function createBatchStore(stateFile?: string): Promise<BatchStore> {
  const byRef = new Map<string, SandboxBatch>();
  const byClient = new Map<string, SandboxBatch>();
  const order: SandboxBatch[] = [];
  const remember = (b: SandboxBatch) => {
    byRef.set(b.ref, b);
    if (b.clientRef) byClient.set(b.clientRef, b);
    order.push(b);
  };

  let persist: ((b: SandboxBatch) => void) | null = null;
  let closeDb = () => {};
  if (stateFile) {
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    const db = new Database(stateFile);
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS sandbox_batches (
      ref TEXT PRIMARY KEY, client_ref TEXT UNIQUE, sender TEXT NOT NULL, recipients TEXT NOT NULL,
      text TEXT NOT NULL, at INTEGER NOT NULL, send_at TEXT, processed INTEGER NOT NULL)`);
    for (const r of db.prepare('SELECT * FROM sandbox_batches ORDER BY rowid').all() as Row[]) {
      remember({
        ref: r.ref,
        clientRef: r.client_ref,
        from: r.sender,
        to: JSON.parse(r.recipients) as string[],
        text: r.text,
        at: r.at,
        sendAt: r.send_at,
        processed: r.processed,
      });
    }
    const insert = db.prepare(
      'INSERT INTO sandbox_batches (ref, client_ref, sender, recipients, text, at, send_at, processed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    persist = (b) => {
      insert.run(b.ref, b.clientRef, b.from, JSON.stringify(b.to), b.text, b.at, b.sendAt, b.processed);
    };
    closeDb = () => {
      if (db.open) db.close();
    };
  }

  return {
    add(b) {
      // Written before the answer leaves, like a real gateway's commit: a crash after this
      // line still knows the batch.
      persist?.(b);
      remember(b);
    },
    find: (ref) => byRef.get(ref) ?? byClient.get(ref),
    byClientRef: (clientRef) => byClient.get(clientRef),
    hasRef: (ref) => byRef.has(ref) || byClient.has(ref),
    all: () => order.slice(),
    close: () => closeDb(),
  };
}
