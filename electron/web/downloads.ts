import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileSink } from '../handlers/types.ts';

export interface Download {
  file: string;
  name: string;
  expiresAt: number;
}

/**
 * Exports in web mode: written into a private temp folder, then handed out once through an
 * unguessable URL. Taking a download removes it from the store; the file is deleted after sending.
 */
export function createDownloadStore(opts: { root?: string; ttlMs?: number; now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 15 * 60_000;
  const root = fs.mkdtempSync(path.join(opts.root ?? os.tmpdir(), 'smsdesk-exports-'));
  fs.chmodSync(root, 0o700);
  const ready = new Map<string, Download>();

  const sink: FileSink = {
    async savePath(suggestedName) {
      const dir = fs.mkdtempSync(path.join(root, 'x-'));
      return path.join(dir, path.basename(suggestedName));
    },
    async deliver(file, name) {
      const id = crypto.randomBytes(24).toString('base64url');
      ready.set(id, { file, name, expiresAt: now() + ttl });
      return { path: null, downloadUrl: `/api/download/${id}` };
    },
    discard: (file) => remove(file),
  };

  function sweep(): void {
    for (const [id, d] of ready)
      if (d.expiresAt <= now()) {
        ready.delete(id);
        remove(d.file);
      }
  }

  return {
    sink,
    /** the download for this id, once; null when unknown, used or expired */
    take(id: string): Download | null {
      sweep();
      const d = ready.get(id);
      if (!d) return null;
      ready.delete(id);
      return d;
    },
    remove,
    close(): void {
      ready.clear();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };

  function remove(file: string): void {
    const dir = path.dirname(file);
    if (path.dirname(dir) === root) fs.rmSync(dir, { recursive: true, force: true });
  }
}
export type DownloadStore = ReturnType<typeof createDownloadStore>;
