// A sandbox gateway hosted in its own process for the benchmarks (see lib/child.ts).
import { startSandbox, type SandboxOptions } from '../electron/engine/sandbox/index.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
const sandbox = await startSandbox(opts);
process.send!({ url: sandbox.url });
process.on('message', (m: { id: number; cmd: string }) => {
  if (m.cmd === 'arrivals') process.send!({ id: m.id, value: sandbox.record().arrivals });
  if (m.cmd === 'close')
    void sandbox.close().then(() => {
      process.disconnect();
      process.exit(0);
    });
});
