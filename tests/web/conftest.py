"""The browser fixtures of test_browser.py (Debian's Chromium, a fresh context per test), shared with the other
browser tests of the pages."""

from tests.web.test_browser import browser, page, sync_api

__all__ = ["browser", "page", "sync_api"]
