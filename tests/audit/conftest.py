# The API's client fixtures, for tests that check what API calls leave in the trail.
from tests.api.conftest import api, make_key

__all__ = ["api", "make_key"]
