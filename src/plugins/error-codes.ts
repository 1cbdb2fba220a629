import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type Result = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

/**
 * Every error carries `extensions.code` (SURFACE.md). Errors of the request itself (syntax,
 * validation, variable values, operation limits) have no path: they are the caller's input.
 */
export function useErrorCodes(): Plugin {
  const withCode = (e: GraphQLError): GraphQLError => {
    if (e.extensions?.code) return e;
    const code = e.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
    return new GraphQLError(e.message, {
      nodes: e.nodes,
      source: e.source,
      positions: e.positions,
      path: e.path,
      originalError: e.originalError,
      extensions: { ...e.extensions, code },
    });
  };
  const fix = (r: unknown): unknown => {
    if (!r || typeof r !== 'object' || !('errors' in r)) return r;
    const res = r as Result;
    return res.errors ? { ...res, errors: res.errors.map((e) => (e instanceof GraphQLError ? withCode(e) : e)) } : r;
  };
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(fix) as typeof result);
      else if (!(Symbol.asyncIterator in (result as object))) setResult(fix(result) as typeof result);
    },
  };
}
