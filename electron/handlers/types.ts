import type { RoutedMethod } from '../engine/api.ts';
import type { RouteName, RouteOutput, Routes } from '../../shared/ipc/contract.ts';
import type { z } from 'zod';
import type { Result } from '../../shared/ipc/contract.ts';

/** Where exports go: a save dialog in Electron, a temp folder + one-time download in web mode. */
export interface FileSink {
  /** a path to write `suggestedName` to, or null when the user cancelled */
  savePath(suggestedName: string, format: 'csv' | 'xlsx'): Promise<string | null>;
  /** what the UI needs to get at the written file */
  deliver(file: string, name: string): Promise<{ path: string | null; downloadUrl: string | null }>;
  /** the export failed after savePath: drop whatever was prepared for it */
  discard?(file: string): void;
}

export interface HandlerDeps {
  mode: 'electron' | 'web';
  version: string;
  platform: string;
  files: FileSink;
  log?: (msg: string) => void;
}

/** the body of a route: parsed input in, output (still to be validated) out */
export type RouteImpl<R extends RouteName> = (
  input: z.output<Routes[R]['input']>,
) => Promise<z.input<Routes[R]['output']>> | z.input<Routes[R]['output']>;
export type RouteImpls = { [R in RouteName]: RouteImpl<R> };

/** what Electron IPC and the web bridge call: raw input in, a Result out, never a throw */
export type Handler<R extends RouteName> = (input?: unknown) => Promise<Result<RouteOutput<R>>>;
export type Handlers = { [R in RouteName]: Handler<R> };

/** routes that are not an engine method of the same name (answered by the shell itself) */
export type ShellRoute = 'app.info';
// compile-time: every route is an engine method marked routed in METHODS (electron/engine/api.ts), or a
// shell route, and every routed method has its route. Forgetting either side of a new route fails tsc.
type Mismatch<A, B> = Exclude<A, B> | Exclude<B, A>;
const routesMatchMethods: [Mismatch<RouteName, ShellRoute | RoutedMethod>] extends [never]
  ? true
  : Mismatch<RouteName, ShellRoute | RoutedMethod> = true;
void routesMatchMethods;
