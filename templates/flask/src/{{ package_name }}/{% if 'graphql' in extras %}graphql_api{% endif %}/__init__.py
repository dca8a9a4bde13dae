"""The GraphQL API at /graphql: the items resource as queries and mutations (Strawberry)."""

from .views import init_app

__all__ = ["init_app"]
