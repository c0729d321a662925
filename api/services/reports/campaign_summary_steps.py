"""下一步工作计划: the summary's next steps, each a sentence made from one of its figures, in the
words a county bureau's report uses. A figure with nothing left to do makes no sentence, so
a campaign with nothing left has none.
"""

from datetime import date

from api.models.vocabulary import CampaignKind, CampaignPhase, DropoutReason
from api.schemas.campaign_summary import CampaignSummary
from api.services.cases import plan_templates
from api.services.core import labels

KIND = {
    CampaignKind.SEMESTER_SURVEY: "开学摸排",
    CampaignKind.CONTROL_MONTH: "控辍保学月",
    CampaignKind.SUMMER_VISITS: "暑期家访",
}
PHASE = {
    CampaignPhase.PUBLICITY: "宣传发动",
    CampaignPhase.SWEEP: "排查摸底",
    CampaignPhase.RETURN: "劝返复学",
    CampaignPhase.SUMMARY: "总结巩固",
}


def _by(ends_on: date, today: date) -> str:
    """By the campaign's last day while it lasts; after it, at once (no date made up)."""
    return f"请于{ends_on.month}月{ends_on.day}日前补访" if ends_on >= today else "请尽快补访"


def next_steps(summary: CampaignSummary, today: date) -> list[str]:
    problems, activity = summary.problems, summary.activity
    steps: list[str] = []
    by = _by(activity.ends_on, today)
    for village in problems.lowest_villages:
        revisit = village.counts.to_revisit
        among = f"（其中 {revisit} 户无人在家，需复访）" if revisit else ""
        name = village.name or village.code
        steps.append(f"{name}尚有 {village.unvisited} 户未走访{among}，{by}。")
    others = problems.villages_with_unvisited - len(problems.lowest_villages)
    if others > 0:
        left = problems.unvisited_households - sum(v.unvisited for v in problems.lowest_villages)
        steps.append(f"另有 {others} 个村尚有 {left} 户未走访，请各乡镇督促包村干部{by}。")
    if problems.refused_households:
        steps.append(
            f"{problems.refused_households} 户拒绝入户，请包村干部会同村两委再次上门，"
            "宣传义务教育法，做通家长工作。"
        )
    if problems.children_unchecked:
        steps.append(
            f"尚有 {problems.children_unchecked} 名适龄儿童未核实就学情况，"
            "请在补访中逐一核实，做到不漏一户、不漏一人。"
        )
    if problems.cases_overdue:
        steps.append(
            f"{problems.cases_overdue} 个个案超过上报时限（不过周），请立即上报县教育局和乡镇政府。"
        )
    if problems.cases_suspected:
        steps.append(f"{problems.cases_suspected} 名疑似辍学学生尚待核实，请学校会同乡镇尽快核实。")
    if problems.cases_without_plan:
        steps.append(
            f"{problems.cases_without_plan} 名确认辍学学生尚未制定劝返方案，"
            "请按“一人一案”尽快制定，明确劝返责任人。"
        )
    if problems.cases_not_returned:
        steps.append(
            f"{problems.cases_not_returned} 名确认辍学学生尚未返校，请落实双线责任，继续劝返复学。"
        )
        steps += _reasons(summary)
    figures = summary.results.statistics
    following = (figures.returned or 0) - (figures.stable_returns or 0)
    if following > 0:
        steps.append(f"{following} 名返校学生仍在跟踪期，请按计划跟踪回访，确保留得住、学得好。")
    return steps


def _reasons(summary: CampaignSummary) -> list[str]:
    """The most frequent known reason and its support (分类劝返), and the reasons not yet
    found out."""
    reasons = summary.problems.reasons
    steps = []
    known = [r for r in reasons if r.reason is not DropoutReason.UNKNOWN]
    if known:
        top = known[0]
        support = "、".join(labels.SUPPORT_MEASURE[m] for m in plan_templates.TEMPLATES[top.reason])
        steps.append(
            f"本次发现的辍学原因以“{top.label}”为主（{top.cases} 人），请针对性{support}。"
        )
    unknown = sum(r.cases for r in reasons if r.reason is DropoutReason.UNKNOWN)
    if unknown:
        steps.append(f"{unknown} 名学生辍学原因待查，请入户了解清楚，分类施策。")
    return steps
