import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput, toGraphQLError } from '../errors.js';

type Stringified = ExecutionResult & { stringify?: (r: unknown) => string };

const tooLarge = (bytes: number, max: number): string =>
  JSON.stringify({
    errors: [
      toGraphQLError(
        badInput(`The response would be ${bytes} bytes, more than the ${max} allowed (MAX_RESPONSE_BYTES); ask for fewer items, fields or aliases`, {
          limit: 'MAX_RESPONSE_BYTES',
          responseBytes: bytes,
          maxResponseBytes: max,
        }),
      ),
    ],
  });

/**
 * Answers bigger than `max` bytes are replaced by one clear error, never cut off mid-body. The size is
 * taken from the serialisation yoga writes anyway (each result's own `stringify`), so an answer is
 * serialised once; the results of one batch share the bound.
 */
export function useResponseLimit(max: number): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Symbol.asyncIterator in (result as object)) return;
      let written = 0;
      const bounded = (r: Stringified): Stringified => {
        const inner = r.stringify ?? JSON.stringify;
        return {
          ...r,
          stringify: (value: unknown) => {
            const text = inner(value);
            const bytes = Buffer.byteLength(text);
            if (written + bytes > max) return tooLarge(bytes, max);
            written += bytes;
            return text;
          },
        };
      };
      if (Array.isArray(result)) setResult(result.map((r) => bounded(r as Stringified)) as typeof result);
      else setResult(bounded(result as Stringified) as typeof result);
    },
  };
}
