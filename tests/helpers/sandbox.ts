import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/engine/sandbox/index.ts';

/** Sandboxes started by a test file, each closed after its test. */
export function useSandboxes(): (opts?: SandboxOptions) => Promise<Sandbox> {
  const open: Sandbox[] = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
  });
  return async (opts = {}) => {
    const sb = await startSandbox(opts);
    open.push(sb);
    return sb;
  };
}
