"""Small formatting helpers shared by the renderers: escaping and the site's date formats."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from urllib.parse import quote

from tests.fakesite.vocab import DAYS, MONTHS, MONTHS_SHORT

# What wptexturize writes for the characters the replica's text uses.
_ENTITIES = {"–": "&#8211;", "“": "&#8220;", "”": "&#8221;", "’": "&#8217;"}


def esc(text: str) -> str:
    """Text for an HTML text node or a double-quoted attribute."""
    return html.escape(text, quote=True)


def texturized(text: str) -> str:
    """Escaped text with dashes and curly quotes as WordPress' numeric entities."""
    out = esc(text)
    for char, entity in _ENTITIES.items():
        out = out.replace(char, entity)
    return out


def url_quote(text: str) -> str:
    return quote(text, safe="")


def local_iso(moment: datetime) -> str:
    """`get_the_date('c')`: the site's offset, `2023-11-26T21:40:50+07:00`."""
    return moment.isoformat()


def utc_iso(moment: datetime) -> str:
    """Yoast's times: `2023-11-26T14:40:50+00:00`."""
    return moment.astimezone(UTC).isoformat()


def long_date(moment: datetime) -> str:
    """`Selasa, 17 Februari 2026` (News5 byline, Newkarma header)."""
    return f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def dmy(moment: datetime) -> str:
    """Newkarma's visible date, `d/m/Y`: `26/11/2023`."""
    return f"{moment:%d/%m/%Y}"


def short_date(moment: datetime) -> str:
    """News5 card date: `19 Nov 2025`."""
    return f"{moment.day} {MONTHS_SHORT[moment.month - 1]} {moment.year}"
