"""Fixtures more than one test module uses."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.wordpress.site import (
    WHERE_ARCHIVES_COME_FROM,
    SiteError,
    WordPressSite,
    archives_dir,
    missing_programs,
    running_site,
)


def _unavailable(reason: str) -> None:
    # In this repository's CI the site must run: a missing piece fails, it never skips.
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-WordPress tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    """The real-WordPress site (tests/wordpress/), built and seeded once per test session, its
    MariaDB and PHP stopped by pid at the end. Tests that change its options put them back."""
    if archives_dir() is None:
        _unavailable(WHERE_ARCHIVES_COME_FROM)
    if missing_programs() and os.geteuid() != 0:
        _unavailable(
            f"no {', '.join(missing_programs())}: the real-WordPress tests need PHP and MariaDB"
            " (apt-get install php-cli php-mysql php-xml php-mbstring php-gd php-intl"
            " mariadb-server; as root the fixture installs them)"
        )
    try:
        with running_site(tmp_path_factory.mktemp("wordpress")) as site:
            yield site
    except SiteError as error:
        pytest.fail(f"the real-WordPress site did not come up: {error}")
