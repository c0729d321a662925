"""The seeds' support for each reason a child left (县级控辍月活动方案, 分类劝返), which a
return plan starts from, and the legal steps when persuasion fails (责令改正)."""

from api.models.vocabulary import DropoutReason as R
from api.models.vocabulary import SupportMeasure as M
from api.schemas.return_plans import PlanMeasure, PlanTemplate
from api.services.core import labels

TEMPLATES: dict[R, tuple[M, ...]] = {
    R.ECONOMIC_HARDSHIP: (M.BOARDING_SUBSIDY, M.SOCIAL_ASSISTANCE),
    R.LEARNING_DIFFICULTY: (M.ACADEMIC_ASSESSMENT, M.ONE_TO_ONE_TUTOR),
    R.WEARINESS: (M.TALKS, M.COUNSELLING),
    R.FAMILY_CHANGE: (M.FAMILY_HELP,),
    R.GONE_TO_WORK: (M.GUARDIAN_DUTY_NOTICE,),
    R.ILLNESS_OR_DISABILITY: (M.PLACEMENT_ASSESSMENT,),
    R.EARLY_MARRIAGE: (M.GUARDIAN_DUTY_NOTICE, M.LEGAL_EDUCATION),
    R.OTHER: (M.GUARDIAN_DUTY_NOTICE,),
    R.UNKNOWN: (M.TALKS,),  # find out why first
}
WHEN_PERSUASION_FAILS = (M.LEGAL_EDUCATION, M.CORRECTION_ORDER)


def measure(kind: M, detail: str | None = None) -> PlanMeasure:
    return PlanMeasure(measure=kind, label=labels.SUPPORT_MEASURE[kind], detail=detail)


def for_reason(reason: R) -> list[PlanMeasure]:
    return [measure(kind) for kind in TEMPLATES[reason]]


def all_templates() -> list[PlanTemplate]:
    return [
        PlanTemplate(
            reason=reason,
            reason_label=labels.DROPOUT_REASON[reason],
            measures=for_reason(reason),
            when_persuasion_fails=[measure(kind) for kind in WHEN_PERSUASION_FAILS],
        )
        for reason in R
    ]
