/** Errors that mean the data folder cannot take writes right now (full, read-only, I/O, damaged). */
export function isStorageError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB)/.test(code);
}

export function storageMessage(e: unknown, file: string): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  if (code.startsWith('SQLITE_FULL'))
    return `The disk holding ${file} is full. Sending is paused; free some space and it continues by itself.`;
  if (code.startsWith('SQLITE_READONLY'))
    return `The data folder of ${file} is read-only. Sending is paused; make the folder writable and it continues by itself.`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return `Another program is holding ${file} locked. Sending is paused until it lets go.`;
  // Damage found mid-run (a page overwritten under the running app): waiting will not mend it.
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))
    return `The data file ${file} is damaged. Sending is paused; quit SMS Desk and restore the newest backup (the Restore button at the next start, or \`smsdesk restore --latest\`).`;
  return `The data file ${file} cannot be written (${code}). Sending is paused; check the disk, and it continues by itself.`;
}
