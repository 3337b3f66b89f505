/** SMSDESK_ENGINE_INPROCESS=1 runs the engine on the main thread again, for debugging with one stack. */
export function wantsInProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SMSDESK_ENGINE_INPROCESS;
  return !!v && v !== '0' && v.toLowerCase() !== 'false';
}
