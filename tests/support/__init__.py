"""Helpers of the test suite: servers, proxies, fixtures' types, counters."""
