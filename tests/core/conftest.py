"""The routing test against a real streaming replica belongs to the PostgreSQL run."""

from __future__ import annotations

from django.conf import settings

# It makes PostgreSQL clusters of its own and copies the test database into them:
# on SQLite there is no replica to route to, so the module is not collected at all.
# `.ci/run` runs the whole suite again on PostgreSQL, and there it runs.
if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    collect_ignore = ["test_routing_replica.py"]
