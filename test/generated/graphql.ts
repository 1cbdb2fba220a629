/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** JobsPikr data sets. */
export type Dataset =
  /** Postings from Fortune 500 career sites. */
  | 'F500'
  /** Postings crawled from job boards. */
  | 'JOB_BOARD';

/** Job search filter. Text values are matched literally (as a phrase), case-insensitively; all given fields must match. */
export type JobFilter = {
  /** Phrase in the category. */
  category?: string | null | undefined;
  /** City as posted or as inferred. */
  city?: string | null | undefined;
  /** Phrase in the company name. */
  company?: string | null | undefined;
  /** Country as posted or as inferred. */
  country?: string | null | undefined;
  /** Data sets to search (default: all). */
  datasets?: Array<Dataset> | null | undefined;
  /** Drop records JobsPikr marks as duplicates. */
  excludeDuplicates?: boolean | null | undefined;
  /** Include jobs that have expired (default false). */
  includeExpired?: boolean | null | undefined;
  /** Phrase in the job type, e.g. "Full Time". */
  jobType?: string | null | undefined;
  /** Full text over title and description. */
  keywords?: string | null | undefined;
  /** Posted on or after this date. */
  postedFrom?: string | null | undefined;
  /** Posted on or before this date. */
  postedTo?: string | null | undefined;
  /** Only remote (true) or only on-site (false) jobs. */
  remote?: boolean | null | undefined;
  /** Inferred salary range overlapping this one. */
  salary?: SalaryRange | null | undefined;
  /** Any of these seniority levels. */
  seniority?: Array<SeniorityLevel> | null | undefined;
  /** Every listed skill must be present. */
  skills?: Array<string> | null | undefined;
  /** State as posted or as inferred. */
  state?: string | null | undefined;
  /** Phrase in the job title or the normalised title. */
  title?: string | null | undefined;
};

/** Matches jobs whose inferred salary range overlaps [min, max]. */
export type SalaryRange = {
  /** ISO 4217 code, e.g. USD. */
  currency?: string | null | undefined;
  /** Highest acceptable salary (inclusive). */
  max?: number | null | undefined;
  /** Lowest acceptable salary (inclusive). */
  min?: number | null | undefined;
};

/** Seniority inferred by JobsPikr (`inferred_seniority_level`). */
export type SeniorityLevel =
  /** Entry Level */
  | 'ENTRY'
  /** Executive Level */
  | 'EXECUTIVE'
  /** Mid Level */
  | 'MID'
  /** Senior Level */
  | 'SENIOR';

export type SearchJobsQueryVariables = Exact<{
  filter?: JobFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SearchJobsQuery = { jobs: { totalCount: number | null, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, uniqId: string, title: string | null, companyName: string | null, seniority: SeniorityLevel | null, postDate: string | null, skills: Array<string>, location: { city: string | null, inferredCity: string | null }, salary: { from: number | null, to: number | null, currency: string | null } | null } }> } };

export type JobLookupQueryVariables = Exact<{
  uniqIds: Array<string> | string;
}>;


export type JobLookupQuery = { jobsByUniqIds: Array<{ uniqId: string, title: string | null } | null> };

export type ApiUsageQueryQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiUsageQueryQuery = { apiUsage: { sandbox: boolean, creditsRemaining: number | null, creditsUsedByThisServer: number, limits: Array<{ endpoint: string, limitPerMinute: number, remainingThisMinute: number, limitPerHour: number, remainingThisHour: number, resetAt: string | null }> } };


export const SearchJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchJobs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"JobFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uniqId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"companyName"}},{"kind":"Field","name":{"kind":"Name","value":"seniority"}},{"kind":"Field","name":{"kind":"Name","value":"postDate"}},{"kind":"Field","name":{"kind":"Name","value":"location"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"inferredCity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"salary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"skills"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchJobsQuery, SearchJobsQueryVariables>;
export const JobLookupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"JobLookup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"uniqIds"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobsByUniqIds"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"uniqIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"uniqIds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uniqId"}},{"kind":"Field","name":{"kind":"Name","value":"title"}}]}}]}}]} as unknown as DocumentNode<JobLookupQuery, JobLookupQueryVariables>;
export const ApiUsageQueryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiUsageQuery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sandbox"}},{"kind":"Field","name":{"kind":"Name","value":"creditsRemaining"}},{"kind":"Field","name":{"kind":"Name","value":"creditsUsedByThisServer"}},{"kind":"Field","name":{"kind":"Name","value":"limits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"limitPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"remainingThisMinute"}},{"kind":"Field","name":{"kind":"Name","value":"limitPerHour"}},{"kind":"Field","name":{"kind":"Name","value":"remainingThisHour"}},{"kind":"Field","name":{"kind":"Name","value":"resetAt"}}]}}]}}]}}]} as unknown as DocumentNode<ApiUsageQueryQuery, ApiUsageQueryQueryVariables>;