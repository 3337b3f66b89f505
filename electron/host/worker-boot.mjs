// Runs the TypeScript worker from source (tests, `npm run web`, the bench): registers tsx in this
// thread first, because Node 20 ignores `--import tsx` in a Worker's execArgv.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker.ts', import.meta.url).href);
