"""考核: a score per township or school, made of the statistics' rates, and the ranking.

The method is api/services/statistics/assessment.py's; every figure it uses comes with the score, so
that a reader can redo the arithmetic.
"""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

AssessmentLevel = Literal["township", "school"]
ComponentKey = Literal["coverage", "deadlines", "returns", "stable_returns"]


class AssessmentPart(BaseModel):
    figure: str = Field(description="the statistics figure, e.g. `household_coverage`")
    met: int | None = Field(description="its numerator; None where it does not apply")
    base: int | None = Field(description="its denominator; None where it does not apply")
    rate: float | None = Field(description="met / base; None on a zero or absent base")


class AssessmentComponent(BaseModel):
    name: str = Field(description="the component's name on the published ranking")
    parts: list[AssessmentPart]
    score: float | None = Field(
        description="0-100: the mean of the parts' rates that have a base, × 100, rounded to"
        " 0.01; None when none has a base (no cases, no sweep, coverage for a school)"
    )
    weight: float = Field(description="the configured weight, as a share of all four")
    weight_used: float = Field(
        description="its share of this unit's total: the weight over the sum of the weights of"
        " the components scored; 0 when not scored"
    )


class AssessmentRow(BaseModel):
    code: str = Field(description="the township's area code, or the school's id")
    name: str | None
    rank: int | None = Field(
        description="1 for the highest total; equal totals share a rank (1, 1, 3); None when"
        " there is no total"
    )
    total: float | None = Field(
        description="Σ weight_used × score over the scored components, rounded to 0.01; None"
        " when no component with a weight has a score"
    )
    components: dict[ComponentKey, AssessmentComponent]


class Assessment(BaseModel):
    level: AssessmentLevel
    area: str | None
    school_year: int = Field(description="the school year, by its first calendar year")
    as_of: date = Field(description="the county's date the figures are computed for")
    campaign_id: uuid.UUID | None = Field(
        description="the sweep whose coverage is scored (the statistics' current campaign)"
    )
    weights: dict[ComponentKey, float] = Field(
        description="the configured weights as shares adding up to 1"
    )
    note: str = Field(description="the method, as the published ranking states it")
    items: list[AssessmentRow] = Field(
        description="by rank, then by name (pinyin); those without a total last"
    )
