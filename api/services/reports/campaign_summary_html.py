"""The campaign summary as a printable page (A4, zh-CN): api/templates/campaign_summary.html,
autoescaped, with its charts as inline SVG the template draws from the bars made here. No
script and nothing loaded from elsewhere, so that it prints as it shows, offline too.
"""

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.schemas.campaign_summary import CampaignSummary

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Report pages hold names typed in the field: everything is escaped, and no script may run.
POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


@dataclass(frozen=True)
class Bar:
    label: str
    fraction: float  # of the chart's scale, 0 to 1
    text: str  # the figure written beside it


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: int | None) -> str:
    return "—" if value is None else str(value)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(day: date) -> str:
    return f"{day.month}/{day.day}"


def _scaled(items: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _, value in items), default=0)
    return [Bar(label, value / top if top else 0, str(value)) for label, value in items]


def charts(summary: CampaignSummary) -> dict[str, list[Bar]]:
    """The bars of the page's three charts."""
    activity = summary.activity
    coverage = [
        Bar(
            row.name or row.code,
            row.household_coverage or 0,
            f"{pct(row.household_coverage)}（{row.counts.visited}/{row.counts.households}）",
        )
        for row in activity.by_area
    ]
    periods = activity.visits_by_period
    every = max(1, math.ceil(len(periods) / 10))  # about ten dates under the bars
    visits = _scaled(
        [("" if n % every else month_day(p.starts_on), p.visits) for n, p in enumerate(periods)]
    )
    reasons = _scaled([(r.label, r.cases) for r in summary.problems.reasons])
    return {"coverage": coverage, "visits": visits, "reasons": reasons}


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(pct=pct, num=num, cn_date=cn_date)


def page(summary: CampaignSummary) -> str:
    template = _environment.get_template("campaign_summary.html")
    return template.render(s=summary, charts=charts(summary))
