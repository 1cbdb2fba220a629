/** The query GraphiQL opens with: the seed's example search, which the sandbox data answers. */
export const DEFAULT_QUERY = `# Software engineering jobs in San Francisco, mid level, $80,000-$100,000
query SeedExample($after: String) {
  jobs(
    filter: {
      keywords: "software engineer"
      city: "San Francisco"
      seniority: [MID]
      salary: { min: 80000, max: 100000, currency: "USD" }
    }
    first: 10
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      uniqId
      title
      companyName
      postDate
      location { city state }
      salary { offered from to currency }
      skills
    }
  }
  apiUsage { sandbox creditsRemaining limits { endpoint remainingThisMinute } }
}
`;
