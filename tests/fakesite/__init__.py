"""A local KalbarOnline replica for integration tests and benchmarks (see README.md)."""

from tests.fakesite.server import FakeSite, RequestRecord

__all__ = ["FakeSite", "RequestRecord"]
