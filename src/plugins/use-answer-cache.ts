import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { AnswerCache } from './answer-cache.js';

/**
 * Serves a remembered whole answer (answer-cache.ts) in place of execution, and remembers the answers
 * of operations served wholly from cache. Registered after every plugin whose onExecute sets up the
 * request's own part of the response (x-max-stale, the credit estimate and allowance, the caller's
 * quota, the log, the span): stopping execution here skips only execution, and their onExecuteDone
 * hooks still write this request's usage report and credits left around the remembered data.
 */
export function useAnswerCache(answers: AnswerCache): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const key = answers.keyOf(args.document, args.operationName, args.variableValues, ctx.credentials);
      if (key === undefined) return;
      const remember = {
        onExecuteDone({ result }: { result: unknown }) {
          if (typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result)) answers.remember(key, result, ctx.usage);
        },
      };
      const held = answers.get(key);
      if (!held) return remember;
      // The cache serves only pairs the upstream has accepted: a pair refused since is answered afresh.
      return ctx.jobs.isAccepted(ctx.credentials).then((accepted) => {
        if (!accepted) return remember;
        answers.replay(held, ctx.usage);
        // A result's own `stringify` is what yoga writes it with (graphql-jit attaches one the same way).
        const result: ExecutionResult & { stringify: (r: unknown) => string } = { data: held.data as ExecutionResult['data'], stringify: held.stringify };
        setResultAndStopExecution(result);
        return undefined;
      });
    },
  };
}
