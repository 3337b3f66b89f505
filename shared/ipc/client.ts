import {
  routes,
  type ApiErrorShape,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type Result,
  type RouteInput,
  type RouteName,
  type RouteOutput,
} from './contract.ts';

/** How calls and events travel: window.smsdesk in Electron, HTTP + SSE in web mode, direct calls in tests. */
export interface Transport {
  call(route: RouteName, input: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, cb: (payload: unknown) => void): () => void;
}

export class ApiError extends Error implements ApiErrorShape {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

type GroupOf<R> = R extends `${infer G}.${string}` ? G : never;
type Group = GroupOf<RouteName>;
type Method<R extends RouteName> =
  undefined extends RouteInput<R>
    ? (input?: RouteInput<R>) => Promise<RouteOutput<R>>
    : (input: RouteInput<R>) => Promise<RouteOutput<R>>;

/** `api.campaigns.status({ id })`, typed from the contract. */
export type Api = {
  [G in Group]: { [R in RouteName as R extends `${G}.${infer M}` ? M : never]: Method<R> };
};

export interface Client {
  api: Api;
  onEvent<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void;
}

export function createClient(transport: Transport): Client {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const name of Object.keys(routes) as RouteName[]) {
    const [group, method] = name.split('.') as [string, string];
    api[group] ??= {};
    api[group][method] = async (input?: unknown) => {
      const res = await transport.call(name, input);
      if (res.ok) return res.value;
      throw new ApiError(res.error.code, res.error.message);
    };
  }
  return {
    api: api as unknown as Api,
    onEvent: (name, cb) => transport.subscribe(name, cb as (p: unknown) => void),
  };
}
