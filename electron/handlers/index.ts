import { routes, type RouteName } from '../../shared/ipc/contract.ts';
import { badInput, toApiError } from './errors.ts';
import { routeImpls } from './routes.ts';
import type { EngineLike } from './engine-like.ts';
import type { Handler, HandlerDeps, Handlers } from './types.ts';

export type { FileSink, Handler, HandlerDeps, Handlers } from './types.ts';
export { createEventBridge } from './events.ts';
export type { EngineLike } from './engine-like.ts';

/**
 * The route handlers shared by Electron IPC and the web bridge: each parses its input with the
 * contract, calls the engine, checks the output against the contract (which also strips any field
 * the contract does not list) and turns every failure into `{ ok: false, error: { code, message } }`.
 */
export function createHandlers(engine: EngineLike, deps: HandlerDeps): Handlers {
  const impls = routeImpls(engine, deps);
  const out: Partial<Record<RouteName, Handler<RouteName>>> = {};
  for (const name of Object.keys(routes) as RouteName[]) {
    const { input: inSchema, output: outSchema } = routes[name];
    const impl = impls[name] as (input: unknown) => unknown;
    out[name] = async (raw: unknown) => {
      // JSON has no undefined: web callers send null for "no input"
      const parsedIn = inSchema.safeParse(raw === null ? undefined : raw);
      if (!parsedIn.success) return { ok: false, error: badInput(name, parsedIn.error) };
      const secrets = name === 'token.set' ? [(parsedIn.data as { token: string }).token.trim()] : [];
      let value: unknown;
      try {
        value = await impl(parsedIn.data);
      } catch (err) {
        const error = toApiError(name, err, secrets);
        if (error.code === 'INTERNAL') deps.log?.(`${name} failed: ${(err as Error)?.stack ?? String(err)}`);
        return { ok: false, error };
      }
      const parsedOut = outSchema.safeParse(value);
      if (!parsedOut.success) {
        deps.log?.(
          `${name} returned data outside the contract: ${parsedOut.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: `SMS Desk produced an answer for ${name} that the window cannot read (a bug). Try again; if it keeps happening, report it.`,
          },
        };
      }
      return { ok: true, value: parsedOut.data } as never;
    };
  }
  return out as Handlers;
}

/** Route by name, for transports that receive the name as data (the web bridge). */
export async function dispatch(handlers: Handlers, route: unknown, input: unknown) {
  if (typeof route !== 'string' || !Object.prototype.hasOwnProperty.call(handlers, route)) {
    return {
      ok: false as const,
      error: { code: 'NOT_FOUND', message: `There is no route named ${JSON.stringify(String(route).slice(0, 60))}.` },
    };
  }
  return handlers[route as RouteName](input);
}
