/** A search query the sandbox rejects: answered 400 with this message (contract §2 "Anything else → 400"). */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}
