/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query SearchJobs($filter: JobFilter, $first: Int, $after: String) {\n  jobs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uniqId\n        title\n        companyName\n        seniority\n        postDate\n        location {\n          city\n          inferredCity\n        }\n        salary {\n          from\n          to\n          currency\n        }\n        skills\n      }\n    }\n  }\n}\n\nquery JobLookup($uniqIds: [String!]!) {\n  jobsByUniqIds(uniqIds: $uniqIds) {\n    uniqId\n    title\n  }\n}\n\nquery ApiUsageQuery {\n  apiUsage {\n    sandbox\n    creditsRemaining\n    creditsUsedByThisServer\n    limits {\n      endpoint\n      limitPerMinute\n      remainingThisMinute\n      limitPerHour\n      remainingThisHour\n      resetAt\n    }\n  }\n}": typeof types.SearchJobsDocument,
};
const documents: Documents = {
    "query SearchJobs($filter: JobFilter, $first: Int, $after: String) {\n  jobs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uniqId\n        title\n        companyName\n        seniority\n        postDate\n        location {\n          city\n          inferredCity\n        }\n        salary {\n          from\n          to\n          currency\n        }\n        skills\n      }\n    }\n  }\n}\n\nquery JobLookup($uniqIds: [String!]!) {\n  jobsByUniqIds(uniqIds: $uniqIds) {\n    uniqId\n    title\n  }\n}\n\nquery ApiUsageQuery {\n  apiUsage {\n    sandbox\n    creditsRemaining\n    creditsUsedByThisServer\n    limits {\n      endpoint\n      limitPerMinute\n      remainingThisMinute\n      limitPerHour\n      remainingThisHour\n      resetAt\n    }\n  }\n}": types.SearchJobsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SearchJobs($filter: JobFilter, $first: Int, $after: String) {\n  jobs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uniqId\n        title\n        companyName\n        seniority\n        postDate\n        location {\n          city\n          inferredCity\n        }\n        salary {\n          from\n          to\n          currency\n        }\n        skills\n      }\n    }\n  }\n}\n\nquery JobLookup($uniqIds: [String!]!) {\n  jobsByUniqIds(uniqIds: $uniqIds) {\n    uniqId\n    title\n  }\n}\n\nquery ApiUsageQuery {\n  apiUsage {\n    sandbox\n    creditsRemaining\n    creditsUsedByThisServer\n    limits {\n      endpoint\n      limitPerMinute\n      remainingThisMinute\n      limitPerHour\n      remainingThisHour\n      resetAt\n    }\n  }\n}"): (typeof documents)["query SearchJobs($filter: JobFilter, $first: Int, $after: String) {\n  jobs(filter: $filter, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        uniqId\n        title\n        companyName\n        seniority\n        postDate\n        location {\n          city\n          inferredCity\n        }\n        salary {\n          from\n          to\n          currency\n        }\n        skills\n      }\n    }\n  }\n}\n\nquery JobLookup($uniqIds: [String!]!) {\n  jobsByUniqIds(uniqIds: $uniqIds) {\n    uniqId\n    title\n  }\n}\n\nquery ApiUsageQuery {\n  apiUsage {\n    sandbox\n    creditsRemaining\n    creditsUsedByThisServer\n    limits {\n      endpoint\n      limitPerMinute\n      remainingThisMinute\n      limitPerHour\n      remainingThisHour\n      resetAt\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;