import { PothosSchemaError, PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isAppError, toGraphQLError } from '../errors.js';

type Result = { errors?: readonly GraphQLError[] } & Record<string, unknown>;

/** Codes yoga and graphql-js give to a request that is wrong in itself: all the caller's input (SURFACE.md). */
const REQUEST_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'REQUEST_ENTITY_TOO_LARGE', 'OPERATION_RESOLUTION_FAILURE']);

const copy = (e: GraphQLError, extensions: Record<string, unknown>, originalError?: Error): GraphQLError =>
  new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError, extensions });

/** An expected failure (AppError) becomes a plain GraphQLError with its code, so yoga neither masks nor logs it as a crash. */
function expected(e: GraphQLError): GraphQLError {
  return isAppError(e.originalError) ? toGraphQLError(e.originalError, e) : e;
}

/** The SURFACE code of an error that has none yet, or whose code is yoga's name for bad input. */
export function withCode(e: GraphQLError): GraphQLError {
  const code = e.extensions?.code;
  // Pothos refuses invalid global IDs and over-limit queries with PothosValidationError; during
  // execution a PothosSchemaError can only come from a type name read out of a client's global ID.
  const o = e.originalError;
  if (e instanceof PothosValidationError || o instanceof PothosValidationError || (e.path && o instanceof PothosSchemaError)) {
    return code === 'BAD_USER_INPUT' ? e : copy(e, { ...e.extensions, code: 'BAD_USER_INPUT' });
  }
  if (typeof code === 'string' && !REQUEST_CODES.has(code)) return e;
  // Errors of the request itself (syntax, validation, variable values, operation limits) have no path.
  const next = e.path && code === undefined ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
  return copy(e, { ...e.extensions, code: next }, e.originalError ?? undefined);
}

/** In production an error's extensions never carry its original error: yoga's holds the caller's body text (a parse error echoes it). */
function withoutOriginal(e: GraphQLError): GraphQLError {
  if (!e.extensions || !('originalError' in e.extensions)) return e;
  const { originalError: _hidden, ...extensions } = e.extensions;
  // yoga answers such a request error (bad JSON, bad body) 400 only while that extension is there: keep the status.
  if (!e.path) extensions.http = { status: (extensions.http as { status?: number } | undefined)?.status ?? 400 };
  return copy(e, extensions, e.originalError ?? undefined);
}

function mapErrors(r: unknown, f: (e: GraphQLError) => GraphQLError): unknown {
  if (!r || typeof r !== 'object' || !('errors' in r)) return r;
  const res = r as Result;
  return res.errors ? { ...res, errors: res.errors.map((e) => (e instanceof GraphQLError ? f(e) : e)) } : r;
}

/**
 * Every error carries `extensions.code` (SURFACE.md). Expected failures keep their own code and
 * message and are not logged as crashes; request-level errors are BAD_USER_INPUT; anything else is
 * left to yoga's masking (logged, "Unexpected error." in production).
 */
export function useErrorCodes(o: { production: boolean }): Plugin {
  const requestError = o.production ? (e: GraphQLError) => withoutOriginal(withCode(e)) : withCode;
  return {
    // Runs before yoga's masking (plugins run in order), so AppErrors reach it already expected.
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult(mapErrors(result, expected) as typeof result);
        },
      };
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((r) => mapErrors(r, requestError)) as typeof result);
      else if (!(Symbol.asyncIterator in (result as object))) setResult(mapErrors(result, requestError) as typeof result);
    },
  };
}
