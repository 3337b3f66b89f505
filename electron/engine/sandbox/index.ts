export { startSandbox } from './sandbox.ts';
export type { FaultConfig, Sandbox, SandboxOptions, SandboxRecord, AcceptedRecord } from './sandbox.ts';
export type { SandboxTiming, SandboxProportions } from './reports.ts';
