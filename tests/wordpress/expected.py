"""What each page of the real-WordPress site must give, field by field, from WordPress's own
ground truth (php/truth.php) and the seed (the dateline and sign-off the seed wrote): shared by
the tests and the extraction benchmark."""

from __future__ import annotations

from typing import Any

from newsarchive.items import CONTENT_FIELDS
from tests.wordpress import content

SEED = {post.title: post for post in content.POSTS}
#: The archive's fields every page must get right, in SPEC order.
FIELDS = ("url", "post_id", *CONTENT_FIELDS)


def expected(row: dict[str, Any], *, amp: bool, organisation: bool) -> dict[str, Any]:
    """What a page of this post must give, field by field (SPEC.md "The article")."""
    seeded = SEED[row["title"]]
    want = {field: row.get(field) for field in FIELDS}
    want["reporter"], want["dateline"] = seeded.reporter, seeded.dateline
    if amp:
        # The AMP copy shows the excerpt under the headline (Swift's div.tl-exc), not KIA's
        # subtitle; and only Yoast's primary category, unless Yoast's Article piece (the site
        # as an organisation) names them all in articleSection.
        want["subtitle"] = row["amp_subtitle"]
        if not organisation:
            want["categories"] = row["amp_categories"]
    return want


def differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    out = {}
    for field in FIELDS:
        value = got.get(field)
        if isinstance(value, tuple):
            value = list(value)
        if field == "body" and isinstance(value, str):
            value = " ".join(value.split())  # the contract: exact after whitespace normalisation
            want_value: Any = " ".join(str(want[field]).split())
        else:
            want_value = want[field]
        if value != want_value:
            out[field] = (value, want_value)
    return out
