import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { AppError, toGraphQLError } from '../errors.js';
import { documentKey, type TrustedDocuments } from '../ops/trusted-documents.js';

/** The id in `{"documentId": ...}` (body or GET parameter), else Apollo's `extensions.persistedQuery.sha256Hash`. */
function extractDocumentId(params: GraphQLParams & { documentId?: unknown }, request: Request): string | null {
  if (typeof params.documentId === 'string') return params.documentId;
  if (request.method === 'GET' && request.url.includes('documentId=')) {
    const fromQuery = new URL(request.url).searchParams.get('documentId');
    if (fromQuery) return fromQuery;
  }
  const apollo: unknown = params.extensions?.persistedQuery;
  if (typeof apollo === 'object' && apollo !== null && 'sha256Hash' in apollo && typeof apollo.sha256Hash === 'string') return apollo.sha256Hash;
  return null;
}

/**
 * Trusted documents (yoga's persisted-operations plugin): a request may name a document of the
 * manifest by id instead of sending it; with `only`, every other document is refused before it is
 * parsed (PERSISTED_QUERY_ONLY), so nothing a client invents ever reaches the executor or the upstream.
 */
export function useTrustedDocuments(o: { documents: TrustedDocuments; only: boolean }): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !o.only,
    extractPersistedOperationId: (params, request) => extractDocumentId(params, request),
    getPersistedOperation: (id) => {
      const key = documentKey(id);
      return key === undefined ? null : (o.documents.get(key) ?? null);
    },
    customErrors: {
      notFound: () =>
        toGraphQLError(new AppError('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this id; send the id from the manifest the server loads')),
      persistedQueryOnly: () =>
        toGraphQLError(
          new AppError('PERSISTED_QUERY_ONLY', 'This server runs trusted documents only: send {"documentId": "sha256:<hex>"} from its manifest, not a query', {
            httpStatus: 400,
          }),
        ),
      keyNotFound: () =>
        toGraphQLError(new AppError('BAD_USER_INPUT', 'Send a query, or a documentId from the trusted documents manifest', { httpStatus: 400 })),
    },
  });
}
