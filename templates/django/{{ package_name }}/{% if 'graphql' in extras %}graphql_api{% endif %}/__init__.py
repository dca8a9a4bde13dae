"""The GraphQL API at /graphql: the items resource as queries and mutations (Strawberry)."""
