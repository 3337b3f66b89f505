/**
 * What the handlers and the shell need from an engine: the Engine of api.ts, or the RemoteEngine
 * of electron/host that answers every call with a promise. Both are derived from the one Engine
 * interface (electron/engine/api.ts), so a route cannot work in one and not the other.
 */
export type { EngineLike } from '../engine/api.ts';
