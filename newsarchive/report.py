"""`newsarchive report`: one self-contained HTML file with charts of what the archive holds.

The charts are matplotlib figures saved as SVG and inlined in the page: no script, no image file,
no font or style sheet from anywhere, so the file opens offline, from a mail attachment or a USB
stick, in any browser. Text stays text (`svg.fonttype: none`), so the page is searchable and small:
a line of 120 months is one path, whatever the number of articles behind it.

matplotlib is the optional `report` extra; `require_matplotlib()` says how to install it.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.export import BadOutput, WriteFailed, open_output
from newsarchive.storage import coverage
from newsarchive.storage.database import Database
from newsarchive.storage.queries import (
    failures_per_run,
    layout_per_month,
    per_month_per_section,
    stats,
)

if TYPE_CHECKING:  # matplotlib is imported only when a report is drawn (an optional extra)
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

INSTALL_HINT = "the report needs matplotlib: pip install 'newsarchive[report]'"

# Runs shown in the failures chart (the table of last runs shows stats()' ten).
RUNS_CHARTED = 60

# A dense month axis (zeros where nothing was published) only up to this span; a stray date
# centuries off would otherwise make an axis of thousands of empty months.
MAX_DENSE_MONTHS = 1200

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

# Every figure: text as SVG text (small, searchable; fonts are the reader's own), no mathtext
# (a `$` in a section name is a dollar), and one hash salt per chart so the ids of two inlined
# SVGs never collide.
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
       margin: 0 auto; max-width: 1200px; padding: 1.5em; color: #222; background: #fff; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.note { color: #555; max-width: 60em; }
.counts { display: flex; flex-wrap: wrap; gap: 0.8em; padding: 0; list-style: none; }
.counts li { border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 0.8em; }
.counts b { display: block; font-size: 1.4em; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #b00020; font-weight: bold; }
"""


class MissingReportSupport(RuntimeError):
    """matplotlib (the `report` extra) is not installed."""


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingReportSupport(INSTALL_HINT) from None


@dataclass
class ReportData:
    """Everything the report shows, read from the archive in one go."""

    archive: str
    generated_at: datetime
    figures: dict[str, Any]  # stats(db)
    sections: dict[str, dict[str, int]]  # per_month_per_section(db)
    layouts: dict[str, dict[str, int]]  # layout_per_month(db)
    runs: list[dict[str, Any]]  # failures_per_run(db)
    coverage: dict[str, Any] | None = None  # the newest coverage run (coverage.summary)
    coverage_history: list[dict[str, Any]] = field(default_factory=list)  # every run's totals


@dataclass
class Report:
    html: str
    charts: list[str] = field(default_factory=list)  # the headings of the charts drawn


def gather(db: Database, archive: str | Path, now: datetime | None = None) -> ReportData:
    return ReportData(
        archive=str(Path(archive).resolve()),
        generated_at=(now or datetime.now(UTC)).replace(microsecond=0),
        figures=stats(db),
        sections=per_month_per_section(db),
        layouts=layout_per_month(db),
        runs=failures_per_run(db, RUNS_CHARTED),
        coverage=coverage.summary(db, latest["id"]) if (latest := coverage.latest(db)) else None,
        coverage_history=coverage.history(db),
    )


def build(data: ReportData) -> Report:
    """The whole page as one string of HTML."""
    require_matplotlib()
    figures = data.figures
    report = Report(html="")
    parts = [_header(data)]

    def chart(title: str, note: str, svg: str | None, empty: str) -> None:
        parts.append(f"<section>\n<h2>{_e(title)}</h2>\n<p class=note>{note}</p>")
        if svg is None:
            parts.append(f"<p class=note><i>{_e(empty)}</i></p>")
        else:
            parts.append(f"<figure>{svg}</figure>")
            report.charts.append(title)
        parts.append("</section>")

    months = _month_axis([*figures["per_month"], *data.layouts])
    chart(
        "Articles per month, per section",
        "All articles first, then one panel per section, biggest first (an article in two "
        "sections counts in both). A month at zero in an otherwise busy section is a gap "
        "worth a <code>newsarchive crawl --since</code>.",
        _sections_svg(figures["per_month"], data.sections, months),
        "No articles in the archive yet.",
    )
    chart(
        "Field fill rates per month (layout drift)",
        "The share of each month's articles with the field filled. A field that drops while "
        "the months around it stay high usually means the site changed its markup and the "
        f"parser missed it. {_drift_rule(figures.get('drift_rule'))}",
        _fill_svg(
            figures["fill_rates_per_month"],
            figures["drift"],
            figures.get("usual_fill_rates") or {},
            months,
        ),
        "No articles in the archive yet.",
    )
    parts.append(_drift_table(figures["drift"]))
    chart(
        "Layout per month",
        "Which page class parsed each month's articles: a redesign of the site shows as one "
        "layout taking over from another; <code>generic</code> is the fallback.",
        _layout_svg(data.layouts, months),
        "No articles in the archive yet.",
    )
    chart(
        "Failures per run",
        f"Pages that could not be fetched, parsed, validated or stored, by stage, for the last "
        f"{RUNS_CHARTED} runs at most (the <code>failures</code> table has every URL).",
        _runs_svg(data.runs),
        "No runs recorded yet." if not data.runs else "No failures in the runs recorded.",
    )
    parts.append(_runs_table(figures["last_runs"]))
    latest = data.coverage
    chart(
        "Coverage",
        "What the site's own lists (Yoast sitemaps, the REST API) name against what is archived, "
        "per month, as the newest <code>newsarchive coverage</code> run found it"
        + (
            f" ({_e(latest['checked_at'])}: {latest['archived']:,} of {latest['listed']:,} "
            f"archived, {_percent(latest['completeness'])}; {latest['missing']:,} missing, "
            f"{latest['unlisted']:,} possibly removed, {latest['removed']:,} marked removed)"
            if latest
            else ""
        )
        + "; and the completeness of every run. The <code>coverage_urls</code> table has each "
        "missing URL.",
        _coverage_svg(latest, data.coverage_history) if latest else None,
        "No coverage run yet: `newsarchive coverage` compares the site's sitemaps and REST API "
        "with the archive.",
    )
    if latest:
        parts.append(_coverage_gaps_table(latest["months"]))
    parts.append("</body>\n</html>\n")
    report.html = "\n".join(parts)
    return report


# --- page parts ------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _header(data: ReportData) -> str:
    figures = data.figures
    months = sorted(m for m in figures["per_month"] if _month(m))
    span = f"{months[0]} – {months[-1]}" if months else "–"
    failures = sum(figures["failures_by_stage"].values())
    counts = [
        ("articles", f"{figures['articles']:,}"),
        ("revisions", f"{figures['revisions']:,}"),
        ("sections", f"{len(figures['per_section']):,}"),
        ("months", span),
        ("runs charted", f"{len(data.runs):,}"),
        ("failures", f"{failures:,}"),
    ]
    items = "\n".join(f"<li><b>{_e(value)}</b>{_e(name)}</li>" for name, value in counts)
    made = data.generated_at.isoformat().replace("+00:00", "Z")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KalbarOnline archive report</title>
<style>{_CSS}</style>
</head>
<body>
<h1>KalbarOnline archive report</h1>
<p class=meta>Made {_e(made)} by <code>newsarchive report</code> from
<code>{_e(data.archive)}</code></p>
<ul class=counts>
{items}
</ul>"""


def _drift_table(drift: Sequence[Mapping[str, Any]]) -> str:
    if not drift:
        return "<p class=note>No month's fill rate stands out from the usual.</p>"
    rows = "\n".join(
        f"<tr><td>{_e(d['month'])}</td><td>{_e(d['field'])}</td>"
        f"<td class=n>{_percent(d['rate'])}</td><td class=n>{_percent(d['usual'])}</td></tr>"
        for d in drift
    )
    return (
        "<table>\n<caption>Months flagged as drift</caption>\n"
        "<tr><th>month</th><th>field</th><th>rate</th><th>usual</th></tr>\n"
        f"{rows}\n</table>"
    )


def _runs_table(runs: Sequence[Mapping[str, Any]]) -> str:
    if not runs:
        return "<section>\n<h2>Last runs</h2>\n<p class=note><i>No runs yet.</i></p>\n</section>"
    columns = ("exit_code", "pages_fetched", "articles_new", "articles_updated",
               "articles_unchanged", "failures")  # fmt: skip
    rows = []
    for run in runs:
        bad = run["status"] != "finished" or (run["exit_code"] or 0) != 0
        numbers = "".join(
            f"<td class=n>{_e('' if run[k] is None else run[k])}</td>" for k in columns
        )
        rows.append(
            f"<tr><td>#{_e(run['id'])}</td><td>{_e(run['command'])}</td>"
            f"<td>{_e(run['started_at'] or '')}</td><td>{_e(run['finished_at'] or '')}</td>"
            f"<td{' class=bad' if bad else ''}>{_e(run['status'])}</td>{numbers}</tr>"
        )
    return (
        "<section>\n<h2>Last runs</h2>\n<table>\n<tr><th>run</th><th>command</th>"
        "<th>started (UTC)</th><th>finished</th><th>status</th><th>exit</th><th>pages</th>"
        "<th>new</th><th>updated</th><th>unchanged</th><th>failures</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n</section>"
    )


def _drift_rule(rule: object) -> str:
    """stats' drift rule in words (its `drift_rule`, when it gives one)."""
    text = "Red dots are the months <code>newsarchive stats</code> flags as drift"
    points = rule.get("points") if isinstance(rule, Mapping) else None
    if isinstance(rule, Mapping) and isinstance(points, int | float) and "min_articles" in rule:
        text += (
            f": more than {points * 100:.0f} percentage points under the field's usual level "
            "(the dashed line, the median month), judged only in months of at least "
            f"{_e(rule['min_articles'])} articles"
        )
    return text + "."


def _percent(rate: object) -> str:
    return "–" if not isinstance(rate, int | float) else f"{rate:.0%}"


# --- months ----------------------------------------------------------------------------------


def _month(key: str) -> date | None:
    """`YYYY-MM` as the middle of that month (where its bar or point is drawn), or None."""
    found = _MONTH_RE.match(key)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        return None
    return date(int(found[1]), int(found[2]), 15)


def _month_axis(keys: Sequence[str]) -> list[str]:
    """Every month from the first to the last key, oldest first (only the months seen when the
    span is absurd)."""
    seen = sorted({key for key in keys if _month(key)})
    if not seen:
        return []
    first, last = _month(seen[0]), _month(seen[-1])
    assert first is not None and last is not None
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span > MAX_DENSE_MONTHS:
        return seen
    return [
        f"{(first.month - 1 + i) // 12 + first.year:04d}-{(first.month - 1 + i) % 12 + 1:02d}"
        for i in range(span)
    ]


def _dates(months: Sequence[str]) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    """Months as the x values of a chart (numpy's datetime64, which matplotlib draws as dates;
    numpy comes with matplotlib)."""
    import numpy

    return numpy.array([d for d in map(_month, months) if d is not None], dtype="datetime64[D]")


# --- charts ----------------------------------------------------------------------------------


@contextmanager
def _figure(width: float, height: float, name: str) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.figure import Figure

    style: dict[RcKeyType, Any] = {**_STYLE, "svg.hashsalt": f"newsarchive-report-{name}"}
    with matplotlib.rc_context(style):
        yield Figure(figsize=(width, height), layout="constrained")


def _svg(figure: Figure, label: str) -> str:
    """The figure as an `<svg>` element to inline in HTML: no XML prolog or DOCTYPE, no RDF
    metadata, no namespace declarations (the HTML parser puts inline SVG, `xlink:href`
    included, in the right namespaces by itself), and a label for screen readers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    root_end = text.index(">")
    root = re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", text[:root_end])
    root += f' role="img" aria-label="{_e(label)}"'
    return root + text[root_end:]


def _date_axis(ax: Axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    # matplotlib.dates has no type annotations (matplotlib types most modules, not this one).
    locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _sections_svg(
    per_month: Mapping[str, int], sections: Mapping[str, Mapping[str, int]], months: list[str]
) -> str | None:
    if not months:
        return None
    panels = [("All articles", per_month), *sections.items()]
    columns = 3 if len(panels) > 2 else len(panels)
    rows = math.ceil(len(panels) / columns)
    x = _dates(months)
    from matplotlib.ticker import MaxNLocator

    with _figure(12, 0.4 + 1.7 * rows, "sections") as fig:
        axes = fig.subplots(rows, columns, sharex=True, squeeze=False).flatten()
        for ax, (name, counts) in zip(axes, panels, strict=False):
            y = [counts.get(month, 0) for month in months]
            colour = "#444444" if name == "All articles" else "#1f77b4"
            # One plain line: a step line or a filled area would triple the SVG's vertices.
            ax.plot(x, y, color=colour, linewidth=1)
            ax.set_title(f"{name} ({sum(counts.values()):,})", loc="left")
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.tick_params(labelbottom=True)
            _date_axis(ax)
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        fig.supylabel("articles per month")
        return _svg(fig, "Articles per month, per section")


def _fill_svg(
    per_month: Mapping[str, Mapping[str, Any]],
    drift: Sequence[Mapping[str, Any]],
    usual: Mapping[str, Any],
    months: list[str],
) -> str | None:
    axis = _month_axis([*months, *per_month])
    # The fields in stats' order (dict order of the months' rates), whatever a month lacks.
    names = list(dict.fromkeys(n for rates in per_month.values() for n in rates if n != "articles"))
    if not axis or not names:
        return None
    x = _dates(axis)
    columns = 3 if len(names) > 2 else len(names)
    rows = math.ceil(len(names) / columns)
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    with _figure(12, 0.5 + 2.0 * rows, "fill") as fig:
        axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).flatten()
        for ax, name in zip(axes, names, strict=False):
            y = [_rate(per_month.get(month, {}).get(name)) for month in axis]
            ax.plot(x, y, color="#1f77b4", linewidth=1)
            # A month between two months without articles has no line to either: a dot.
            alone = [i for i in range(len(y)) if not math.isnan(y[i])
                     and (i == 0 or math.isnan(y[i - 1]))
                     and (i == len(y) - 1 or math.isnan(y[i + 1]))]  # fmt: skip
            if alone:
                ax.plot(x[alone], [y[i] for i in alone], linestyle="none", marker=".",
                        markersize=4, color="#1f77b4")  # fmt: skip
            level = usual.get(name)
            if isinstance(level, int | float):
                ax.axhline(level, color="#888888", linestyle="--", linewidth=0.8)
            flagged = [d for d in drift if d.get("field") == name and _month(str(d["month"]))]
            if flagged:
                ax.plot(_dates([str(d["month"]) for d in flagged]),
                        [_rate(d.get("rate")) for d in flagged],
                        linestyle="none", marker="o", color="#d62728")  # fmt: skip
            ax.set_title(name, loc="left")
            ax.set_ylim(-0.03, 1.03)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.tick_params(labelbottom=True, labelleft=True)
            _date_axis(ax)
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        fig.supylabel("share of the month's articles")
        handles = [
            Line2D([], [], color="#1f77b4", linewidth=1, label="the month's rate"),
            Line2D([], [], color="#888888", linestyle="--", linewidth=0.8, label="usual level"),
            Line2D([], [], color="#d62728", linestyle="none", marker="o", label="drift"),
        ]
        fig.legend(handles=handles, loc="outside upper right", ncols=3)
        return _svg(fig, "Field fill rates per month")


def _rate(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _layout_svg(layouts: Mapping[str, Mapping[str, int]], months: list[str]) -> str | None:
    present = [m for m in months if m in layouts]
    if not present:
        return None
    totals: dict[str, int] = {}
    for counts in layouts.values():
        for name, n in counts.items():
            totals[name] = totals.get(name, 0) + n
    names = sorted(totals, key=lambda name: (-totals[name], name))
    bottoms = dict.fromkeys(present, 0)
    with _figure(12, 3.6, "layouts") as fig:
        ax = fig.subplots()
        for name in names:
            # Only the months the layout has: a zero-height bar is still a path in the SVG.
            mine = [m for m in present if layouts[m].get(name)]
            ax.bar(_dates(mine), [layouts[m][name] for m in mine], width=25,
                   bottom=[bottoms[m] for m in mine], label=name, linewidth=0)  # fmt: skip
            for month in mine:
                bottoms[month] += layouts[month][name]
        ax.set_ylabel("articles per month")
        fig.legend(loc="outside upper right", ncols=min(len(names), 8))
        _date_axis(ax)
        return _svg(fig, "Layout per month")


def _runs_svg(runs: Sequence[Mapping[str, Any]]) -> str | None:
    if not any(run["failures"] for run in runs):
        return None
    stages = sorted({stage for run in runs for stage in run["failures"]})
    positions = list(range(len(runs)))
    bottoms = [0] * len(runs)
    from matplotlib.ticker import MaxNLocator

    with _figure(12, 3.4, "runs") as fig:
        ax = fig.subplots()
        for stage in stages:
            heights = [run["failures"].get(stage, 0) for run in runs]
            mine = [i for i in positions if heights[i]]
            ax.bar(mine, [heights[i] for i in mine], bottom=[bottoms[i] for i in mine],
                   width=0.7, label=stage, linewidth=0)  # fmt: skip
            for i in mine:
                bottoms[i] += heights[i]
        step = max(1, math.ceil(len(runs) / 20))
        shown = positions[::step]
        ax.set_xticks(shown, [f"#{runs[i]['id']}\n{runs[i]['command']}" for i in shown])
        ax.set_xlim(-0.6, max(len(runs), 10) - 0.4)  # a few runs: bars of a usual width
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("failures")
        ax.grid(axis="x", visible=False)
        fig.legend(loc="outside upper right", ncols=min(len(stages), 8))
        return _svg(fig, "Failures per run")


def _coverage_svg(latest: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> str | None:
    listed: dict[str, int] = {}
    archived: dict[str, int] = {}
    for row in latest["months"]:
        if row["month"]:
            listed[row["month"]] = listed.get(row["month"], 0) + row["listed"]
            archived[row["month"]] = archived.get(row["month"], 0) + row["archived"]
    months = _month_axis(list(listed))
    if not months:
        return None
    x = _dates(months)
    with _figure(12, 3.6, "coverage") as fig:
        left, right = fig.subplots(1, 2, width_ratios=(3, 1))
        left.plot(x, [listed.get(m, 0) for m in months], color="#999999", linewidth=1.5,
                  label="listed by the site")  # fmt: skip
        left.plot(x, [archived.get(m, 0) for m in months], color="#1f77b4", linewidth=1,
                  label="archived")  # fmt: skip
        left.set_ylim(bottom=0)
        left.set_ylabel("posts per month")
        left.legend(loc="upper left")
        _date_axis(left)
        runs = [run for run in history if run["checked_at"]]
        right.plot(
            [datetime.fromisoformat(run["checked_at"]) for run in runs],
            [100 * (run["completeness"] or 0) for run in runs],
            marker="o", markersize=3, linewidth=1, color="#2ca02c",
        )  # fmt: skip
        right.set_ylim(0, 100)
        right.set_ylabel("completeness, %")
        right.set_title("per coverage run", loc="left")
        right.tick_params(axis="x", labelrotation=30)
        return _svg(fig, "Coverage")


def _coverage_gaps_table(months: Sequence[Mapping[str, Any]]) -> str:
    gaps = [m for m in months if m["missing"]]
    if not gaps:
        return "<p class=note>No month with a post missing.</p>"
    rows = "".join(
        f"<tr><td>{_e(m['month'] or '?')}</td><td>{_e(m['section'] or '(unknown)')}</td>"
        f"<td class=n>{m['listed']:,}</td><td class=n>{m['archived']:,}</td>"
        f"<td class=n>{m['missing']:,}</td></tr>"
        for m in gaps[:RUNS_CHARTED]
    )
    more = f" (the first {RUNS_CHARTED} of {len(gaps)})" if len(gaps) > RUNS_CHARTED else ""
    return (
        f"<table><caption>Months with posts missing{more}</caption><tr><th>month</th>"
        f"<th>section</th><th>listed</th><th>archived</th><th>missing</th></tr>{rows}</table>"
    )


# --- the file --------------------------------------------------------------------------------


def write(page: str, path: str) -> int:
    """Write the page to `path` (`-` is stdout) as export writes its files: to a temporary file
    renamed onto `path` when complete, so a failed run leaves the previous report as it was.
    Returns the bytes written. Raises BadOutput / WriteFailed as export() does."""
    data = page.encode("utf-8")
    if path == "-":
        import sys

        sys.stdout.write(page)
        return len(data)
    try:
        with open_output(path, binary=True) as out:
            out.write(data)
    except OSError as exc:
        raise WriteFailed(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(data)


__all__ = [
    "INSTALL_HINT", "BadOutput", "MissingReportSupport", "Report", "ReportData", "WriteFailed",
    "build", "gather", "require_matplotlib", "write",
]  # fmt: skip
