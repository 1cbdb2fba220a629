import type { Plugin } from 'graphql-yoga';
import type { Caller } from '../callers/caller.js';
import type { ResolveCaller } from '../callers/resolve-caller.js';
import { isAppError, toGraphQLError } from '../errors.js';

/** The caller of each request in flight, set once by useCaller and read by the context factory. */
export class RequestCallers {
  private readonly byRequest = new WeakMap<Request, Caller | null>();

  set(request: Request, caller: Caller | null): void {
    this.byRequest.set(request, caller);
  }

  of(request: Request): Caller | null {
    return this.byRequest.get(request) ?? null;
  }
}

/**
 * Resolve the caller once per HTTP request (every operation of a batch shares it), before the body is
 * read or parsed: a refused token (UNAUTHENTICATED, 401) costs neither parsing nor an upstream call.
 * Runs only on GraphQL requests: CORS preflights, /healthz, /metrics and the GraphiQL page end earlier.
 */
export function useCaller(resolve: ResolveCaller, callers: RequestCallers): Plugin {
  const refuse = (e: unknown): never => {
    throw isAppError(e) ? toGraphQLError(e) : e;
  };
  return {
    onRequestParse({ request, serverContext }) {
      let found: Caller | null | Promise<Caller | null>;
      try {
        found = resolve(request.headers, serverContext);
      } catch (e) {
        return refuse(e);
      }
      if (!(found instanceof Promise)) {
        callers.set(request, found);
        return;
      }
      return found.then((c) => {
        callers.set(request, c);
      }, refuse);
    },
  };
}
