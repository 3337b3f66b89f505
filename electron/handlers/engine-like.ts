import type { SettingKey, Settings } from '../../shared/settings.ts';
import type { Engine, EngineEvent } from '../engine/api.ts';

/** a method whose answer may come now (the engine in this thread) or later (the engine in a worker) */
type MaybeAsync<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<Awaited<R>> : never;
type Group<G> = { [K in keyof G]: MaybeAsync<G[K]> };

/**
 * What the handlers and the shell need from an engine: the Engine of api.ts, or the RemoteEngine
 * of electron/host that answers every call with a promise. Callers always `await`.
 */
export interface EngineLike {
  readonly dataDir: string;
  readonly sandbox: boolean;
  settings: {
    get<K extends SettingKey>(key: K): Settings[K] | Promise<Settings[K]>;
    set<K extends SettingKey>(key: K, value: unknown): Settings[K] | Promise<Settings[K]>;
    all(): Settings | Promise<Settings>;
  };
  token: Engine['token'];
  lists: Group<Engine['lists']>;
  imports: Group<Engine['imports']>;
  optouts: Group<Engine['optouts']>;
  campaigns: Group<Engine['campaigns']>;
  start(): void | Promise<void>;
  waitIdle: Engine['waitIdle'];
  pollReports: Engine['pollReports'];
  on(listener: (e: EngineEvent) => void): () => void;
  close(): Promise<void>;
}
