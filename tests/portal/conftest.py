"""The subject with a full history from the rights tests serves the portal's tests too."""

from tests.rights.conftest import aino

__all__ = ["aino"]
