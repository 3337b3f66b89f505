// Entry of every measuring child process: runs one job and sends back its figures plus the
// process's own peak RSS and CPU time.
import { jobs } from './cases/index.ts';

const [name, raw] = process.argv.slice(2);
const job = jobs[name as keyof typeof jobs];
try {
  if (!job) throw new Error(`unknown bench job ${name}`);
  const value = await job(JSON.parse(raw ?? '{}'));
  const cpu = process.cpuUsage();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.send!(
    { ok: true, value: { ...value, maxRssMb, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 } },
    () => process.exit(0),
  );
} catch (e) {
  process.send!({ ok: false, error: `${name}: ${(e as Error).stack ?? e}` }, () => process.exit(1));
}
