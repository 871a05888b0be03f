"""URL patterns of the policy pages and the policy simulator (included in the ``iam`` namespace)."""

urlpatterns: list = []
