"""The demo county's dropout cases, in every status of the lifecycle: the children the
generator put out of school are reported (some past 不过周, unreported), verified, planned or
being persuaded; some children back at school came back (returned, followed up, closed), and
a few reports were dismissed. Each reason fits the child's age when noticed (case_rules: no
早婚 at six). Plans name the people the assignments name; attempts and follow-ups are dated
as they would have happened. The demo class has cases of its own, so that the demo accounts
see some from the first login.

Deterministic for a county and day, like the staff (chains): rows for each table in TABLES.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from api.demo.chains import demo_units
from api.demo.generator import DemoData, Row
from api.models import Case, CaseTransition, FollowUp, PersuasionAttempt, ReturnPlan
from api.models.vocabulary import (
    AssignmentKind,
    AttemptOutcome,
    CaseAction,
    CaseSource,
    CaseStatus,
    DismissalReason,
    DropoutReason,
    FollowUpOutcome,
    PersuasionMethod,
    SchoolingStatus,
)
from api.services.cases import case_deadlines, case_rules, plan_templates
from api.services.core import school_age
from api.settings import Settings

TABLES = ("dropout_case", "case_transition", "return_plan", "persuasion_attempt", "follow_up")
S, A = CaseStatus, CaseAction
# The cases of children still out of school, in turn: every open status, some overdue.
OUT = ("overdue", S.VERIFIED, S.PLANNED, S.PERSUADING, S.REPORTED, S.PERSUADING, S.PLANNED)
# Of children back at school: the later statuses, and reports found mistaken.
BACK = (S.RETURNED, S.FOLLOWING_UP, S.CLOSED, S.DISMISSED, S.FOLLOWING_UP, S.CLOSED)
# The steps that lead to each status, after the report (and the report upward).
PATH = {
    S.REPORTED: (),
    S.VERIFIED: (A.VERIFY,),
    S.PLANNED: (A.VERIFY, A.PLAN),
    S.PERSUADING: (A.VERIFY, A.PLAN, A.PERSUADE),
    S.RETURNED: (A.VERIFY, A.PLAN, A.PERSUADE, A.RETURN),
    S.FOLLOWING_UP: (A.VERIFY, A.PLAN, A.PERSUADE, A.RETURN, A.FOLLOW_UP),
    S.CLOSED: (A.VERIFY, A.PLAN, A.PERSUADE, A.RETURN, A.FOLLOW_UP, A.CLOSE),
    S.DISMISSED: (A.DISMISS,),
}
REASONS = [r for r in DropoutReason if r is not DropoutReason.UNKNOWN]
WHEREABOUTS = ("在家", "随父母外出务工", "在县城打零工", "在亲戚家", "去向待查")


def build(
    data: DemoData, assignments: list[Row], settings: Settings | None = None
) -> dict[str, list[Row]]:
    return _Cases(data, assignments, settings or Settings()).run()


class _Cases:
    def __init__(self, data: DemoData, assignments: list[Row], settings: Settings) -> None:
        self.rng = random.Random(f"{data.county_code}/{data.reference_date}/cases")
        self.data = data
        self.settings = settings
        self.now = datetime.combine(data.reference_date, time(2, 0), tzinfo=UTC)
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        self.held = {
            (a["kind"], a["area_code"] or a["school_id"] or a["class_id"] or a["child_id"]): a[
                "user_id"
            ]
            for a in assignments
            if a["valid_to"] is None
        }
        self.registered = {e["child_id"]: e for e in data.rows["enrolment"] if e["child_id"]}

    def run(self) -> dict[str, list[Row]]:
        children = self.data.rows["child"]
        out = [c for c in children if c["schooling_status"] is SchoolingStatus.DROPPED_OUT]
        demo_class = demo_units(self.data).school_class["id"]
        at_school = [
            c
            for c in children
            if c["schooling_status"] is SchoolingStatus.ENROLLED_IN_COUNTY
            and c["id"] in self.registered
        ]
        own = [c for c in at_school if self.registered[c["id"]]["class_id"] == demo_class][:2]
        rest = [c for c in at_school if c not in own]
        back = self.rng.sample(rest, min(len(rest), max(len(BACK), len(out) // 3)))
        for child, status in zip(out, _cycle(OUT), strict=False):
            self.case(child, status)
        for child, status in zip(own, ("overdue", S.FOLLOWING_UP), strict=False):
            self.case(child, status, source=CaseSource.TEACHER_REPORT)
        for child, status in zip(back, _cycle(BACK), strict=False):
            self.case(child, status)
        return self.rows

    def case(self, child: Row, status: Any, source: CaseSource | None = None) -> None:
        overdue = status == "overdue"
        status = S.REPORTED if overdue else status
        steps = PATH[status]
        days = (
            self.rng.randint(9, 20)
            if overdue
            else self.rng.randint(1, 5)
            if status is S.REPORTED
            else self.rng.randint(40, 120)
        )
        noticed = self.now - timedelta(days=days, hours=self.rng.randint(0, 8))
        reported = noticed + timedelta(hours=self.rng.randint(1, 20))
        school_due, county_due = case_deadlines.due(noticed)
        enrolment = self.registered.get(child["id"])
        school_id = enrolment["school_id"] if enrolment else None
        class_id = enrolment["class_id"] if enrolment else None
        school = self.person(AssignmentKind.CLASS, class_id) or self.person(
            AssignmentKind.SCHOOL, school_id
        )
        government = self.government(child)
        # A pupil's school reports; a child on no roster is found by the village's sweep.
        reporter = school or government
        if reporter is None:
            return  # nobody answers for the child on either line: the gap report's to show
        reason = self.rng.choice(self.reasons(child, noticed))
        source = source or (CaseSource.TEACHER_REPORT if school else CaseSource.SWEEP)
        moment = reported
        reported_up = None
        if not overdue and (status is not S.REPORTED or self.rng.random() < 0.5):
            moment = reported_up = min(reported + timedelta(days=self.rng.randint(1, 5)), self.now)
        case = Case(
            child_id=child["id"],
            status=status,
            source=source,
            reported_by_id=reporter,
            noticed_at=noticed,
            reported_at=reported,
            school_due_at=school_due,
            county_due_at=county_due,
            county_reported_at=reported_up,
            days_absent=self.rng.randint(3, 10) if source is CaseSource.TEACHER_REPORT else None,
            reason=reason,
            whereabouts=self.rng.choice(WHEREABOUTS),
            school_id=school_id,
            class_id=class_id,
            grade=enrolment["grade"] if enrolment else None,
            dismissal_reason=DismissalReason.BACK_AT_SCHOOL if status is S.DISMISSED else None,
            created_at=reported,
            updated_at=reported,
        )
        self.transition(case, A.REPORT, None, S.REPORTED, reporter, reported)
        if reported_up is not None:
            self.transition(case, A.REPORT_UPWARD, S.REPORTED, S.REPORTED, reporter, reported_up)
        current = S.REPORTED
        gap = max((self.now - moment) / (len(steps) + 1), timedelta(hours=1))
        for action in steps:
            moment += gap
            after = case_rules.TRANSITIONS[current, action].to
            self.transition(case, action, current, after, reporter, moment)
            current = after
            if action is A.VERIFY:
                case.verified_at = moment
            elif action is A.PLAN:
                self.plan(case, government, school, moment)
            elif action is A.PERSUADE:
                self.attempts(case, moment, gap)
            elif action is A.RETURN:
                case.returned_at = moment
                self.follow_ups(case, moment, status)
            elif action is A.CLOSE:
                case.closed_at = moment
        case.updated_at = moment
        self.rows["dropout_case"].append(case.model_dump())

    def reasons(self, child: Row, noticed: datetime) -> list[DropoutReason]:
        """The reasons a child of that age when noticed may have left for: no 早婚 at six."""
        return [
            reason
            for reason in REASONS
            if case_rules.implausible_reason(
                reason, born=child["birth_date"], noticed_at=noticed, settings=self.settings
            )
            is None
        ]

    def person(self, kind: AssignmentKind, target: Any) -> uuid.UUID | None:
        return self.held.get((kind, target)) if target else None

    def government(self, child: Row) -> uuid.UUID | None:
        return self.person(AssignmentKind.GROUP, child["area_code"]) or self.person(
            AssignmentKind.VILLAGE, child["area_code"][:12]
        )

    def transition(
        self,
        case: Case,
        action: CaseAction,
        before: CaseStatus | None,
        after: CaseStatus,
        actor: uuid.UUID,
        at: datetime,
    ) -> None:
        step = CaseTransition(case_id=case.id, action=action, from_status=before, to_status=after,
                              actor_id=actor, at=at, note=_NOTES.get(action))  # fmt: skip
        self.rows["case_transition"].append(step.model_dump())

    def plan(
        self, case: Case, government: uuid.UUID | None, school: uuid.UUID | None, at: datetime
    ) -> None:
        target = school_age.local_date(at, self.settings) + timedelta(days=14)
        measures = [{"measure": m.value, "detail": None}
                    for m in plan_templates.TEMPLATES[case.reason]]  # fmt: skip
        plan = ReturnPlan(case_id=case.id, version=1, government_person_id=government,
                          school_person_id=school, methods=[PersuasionMethod.HOME_VISIT.value],
                          target_return_on=target, schedule="每周上门一次", measures=measures,
                          created_by_id=case.reported_by_id, created_at=at)  # fmt: skip
        self.rows["return_plan"].append(plan.model_dump())

    def attempts(self, case: Case, start: datetime, gap: timedelta) -> None:
        count = self.rng.randint(1, 3)
        for number in range(1, count + 1):
            at = start + gap * (number - 1) / count
            outcome = AttemptOutcome.AGREED if number == count else AttemptOutcome.UNDECIDED
            attempt = PersuasionAttempt(
                case_id=case.id, number=number, attempted_at=at, persons="包村干部、班主任",
                method=PersuasionMethod.HOME_VISIT, outcome=outcome,
                recorded_by_id=case.reported_by_id, recorded_at=at)  # fmt: skip
            self.rows["persuasion_attempt"].append(attempt.model_dump())

    def follow_ups(self, case: Case, returned: datetime, status: CaseStatus) -> None:
        """Those due by now made (none yet for a child just returned); a closed case's
        schedule ends with its last visit."""
        returned_on = school_age.local_date(returned, self.settings)
        for number, due in enumerate(case_deadlines.follow_ups(returned_on, self.settings), 1):
            done = status is not S.RETURNED and datetime.combine(due, returned.timetz()) <= self.now
            if status is S.CLOSED and not done:
                break
            visit = FollowUp(case_id=case.id, number=number, due_on=due,
                             done_at=datetime.combine(due, returned.timetz()) if done else None,
                             done_by_id=case.reported_by_id if done else None,
                             outcome=FollowUpOutcome.STAYING if done else None)  # fmt: skip
            self.rows["follow_up"].append(visit.model_dump())


_NOTES = {
    A.REPORT: "连续缺课，班主任报告",
    A.VERIFY: "入户核实，确认辍学",
    A.PLAN: "制定一人一案",
    A.PERSUADE: "开始劝返",
    A.RETURN: "已返校就读",
    A.FOLLOW_UP: "返校后跟踪回访",
    A.CLOSE: "稳定在校，销号",
    A.DISMISS: "经核实在校就读",
}


def _cycle(items: tuple[Any, ...]) -> Iterator[Any]:
    while True:
        yield from items
