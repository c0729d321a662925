"""The permission matrix walked whole, over every route of the API, and no IDOR anywhere.

ROUTES names each route with the (resource, action) it needs. A route missing from it fails
``test_every_route_is_walked``, so no endpoint can be added without joining the walk.
"""

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Assignment,
    AssignmentImport,
    Campaign,
    CampaignArea,
    Case,
    Discrepancy,
    HouseholdImport,
    PovertyList,
    Reconciliation,
    Roster,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    AssignmentKind,
    CampaignKind,
    CaseSource,
    CaseStatus,
    DeliveryStatus,
    DiscrepancyKind,
    ImportStatus,
    ReconciliationStatus,
    UserRole,
)
from api.services.access.permissions import MATRIX, Action, Resource, allowed
from api.services.cases import case_deadlines
from api.services.core.actors import Actor
from api.services.registry import id_number
from tests import world as w
from tests.factories import Login, bearer, make_user, token_for

_names = itertools.count(1)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # with {child}, {household}, {school}, {user}, {spare_...} to fill in
    body: Callable[[dict[str, uuid.UUID]], dict[str, Any]] | None = None
    files: Callable[[], dict[str, Any]] | None = None  # a multipart upload instead of JSON


def _new_account(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    # A teacher of the principal's school: an account every role granted USER may create.
    return {
        "username": f"walk.{next(_names)}",
        "display_name": "新老师",
        "role": "teacher",
        "classes": [str(ids["klass"])],
    }


def _rename(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"display_name": f"改名{next(_names)}"}


def _new_client(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {
        "client_id": f"walk.sync.{next(_names)}",
        "display_name": "学籍系统",
        "api_scopes": ["roster:write"],
        "areas": [w.EAST],
    }


def _no_grace(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"previous_secret_valid_minutes": 0}


def _new_child(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    born = date(2017, 3, 1)
    number = id_number.make(area_code="510821", birth_date=born, sequence=next(_names) * 2 + 1)
    return {
        "household_id": str(ids["household"]),
        "name": "新发现",
        "sex": "male",
        "birth_date": born.isoformat(),
        "id_number": number,
    }


def _new_household(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"area_code": w.DONG, "address": f"东村{next(_names)}号", "head_name": "新户主"}


def _readdress(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"registered_address": f"东村{next(_names)}号"}


def _drops_out(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"to_status": "whereabouts_unknown", "reason": "家访未见"}


def _new_enrolment(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"child_id": str(ids["child"]), "school_id": str(ids["school"]), "grade": 3,
            "student_number": f"L{next(_names)}"}  # fmt: skip


def _transfer(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"to_school_id": str(ids["other_school"]), "evidence": "转学申请表"}


def _apply(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"requested_status": "suspended", "cause": "serious_illness", "applicant_name": "张大山",
            "reason": "住院", "certificate_id": str(uuid.uuid4())}  # fmt: skip


def _approve(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"approve": True}


def _new_school(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    n = next(_names)
    return {"code": f"{2151990500 + n}", "name": f"东镇第{n}小学", "kind": "primary",
            "area_code": w.EAST, "grade_from": 1, "grade_to": 6}  # fmt: skip


def _rephone(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"phone": f"0839-{5550000 + next(_names)}"}


def _new_class(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"school_year": 2026, "grade": 2, "number": next(_names) % 40 + 1}


def _renote(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"note": f"备注{next(_names)}"}


def _assign_teacher(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"kind": "child", "user_id": str(ids["teacher"]), "child_id": str(ids["child"])}


def _end(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {}


def _report_case(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"child_id": str(ids["spare_child"]), "source": "teacher_report", "days_absent": 3}


def _campaign(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"name": f"控辍月{next(_names)}", "kind": "control_month", "areas": [w.DONG],
            "starts_on": "2027-03-01", "ends_on": "2027-03-28"}  # fmt: skip


def _start(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {}


def _visit_batch(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    visit = {"id": str(uuid.uuid4()), "household_id": str(ids["household"]),
             "visited_at": "2026-11-20T10:00:00+08:00", "outcome": "nobody_home"}  # fmt: skip
    return {"visits": [visit]}


async def _planned_campaign(session: AsyncSession, by: Login, area: str = w.EAST) -> uuid.UUID:
    made = Campaign(name="暑期家访", kind=CampaignKind.SUMMER_VISITS, starts_on=date(2027, 7, 1),
                    ends_on=date(2027, 8, 31), created_by_id=by.user_id)  # fmt: skip
    session.add(made)
    session.add(CampaignArea(campaign_id=made.id, area_code=area))
    await session.commit()
    return made.id


async def _neighbour_campaign(session: AsyncSession, by: Login) -> uuid.UUID:
    return await _planned_campaign(session, by, w.NEIGHBOUR)


def _persuade(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"action": "persuade", "note": "第一次上门劝返"}


def _plan(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {
        "government_person_id": str(ids["user"]),  # a village cadre of 东村
        "school_person_id": str(ids.get("teacher", ids["user"])),  # east-3-1's teacher
        "methods": ["home_visit"],
        "target_return_on": (date.today() + timedelta(days=14)).isoformat(),
    }


def _attempt(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"attempted_at": utcnow().isoformat(), "persons": "村干部、班主任",
            "method": "home_visit", "outcome": "undecided"}  # fmt: skip


def _case_transfer(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"to_school_id": str(ids["other_school"]), "note": "转学"}


def _decision(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"note": "已核实"}


def _follow_up(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"outcome": "staying"}


async def _case(session: AsyncSession, child_id: uuid.UUID, by: Login) -> uuid.UUID:
    """A case with its plan made, which every role on the lines may take on to persuading."""
    now = utcnow()
    school_due, county_due = case_deadlines.due(now)
    made = Case(child_id=child_id, status=CaseStatus.PLANNED, source=CaseSource.MANUAL,
                reported_by_id=by.user_id, noticed_at=now, reported_at=now,
                school_due_at=school_due, county_due_at=county_due)  # fmt: skip
    session.add(made)
    await session.commit()
    return made.id


async def _assignment(session: AsyncSession, user_id: uuid.UUID, **target: Any) -> uuid.UUID:
    made = Assignment(user_id=user_id, valid_from=date(2026, 9, 1), **target)
    session.add(made)
    await session.commit()
    return made.id


def _area_list() -> dict[str, Any]:
    rows = f"code,name,level,parent\n{w.EAST},东镇,township,{w.COUNTY}\n"
    return {"file": ("areas.csv", rows.encode(), "text/csv")}


def _household_sheet() -> dict[str, Any]:
    rows = (
        "区划代码,家庭住址,户主姓名,儿童姓名,性别,出生日期\n"
        f"{w.DONG},东村{next(_names)}号,新户主,新发现,男,2017-03-01\n"
    )
    return {"file": ("儿童.csv", rows.encode(), "text/csv")}


def _assignment_sheet() -> dict[str, Any]:
    rows = f"分工类型,负责人账号,区划代码\n包组,walk.nobody.{next(_names)},{w.DONG_GROUP}\n"
    return {"file": ("分工.csv", rows.encode(), "text/csv")}


async def _import(
    session: AsyncSession, by: Login, model: type[HouseholdImport | AssignmentImport]
) -> uuid.UUID:
    """An import made earlier by ``by``, for the routes that read one back."""
    made = model(
        created_by_id=by.user_id,
        created_by_username=by.username,
        file_name="儿童.xlsx",
        sha256="0" * 64,
        status=ImportStatus.STORED,
    )
    session.add(made)
    await session.commit()
    return made.id


def _poverty_sheet() -> dict[str, Any]:
    rows = f"户编号,户类型,户主姓名,成员姓名\n{next(_names)},脱贫户,新户主,新户主\n"
    return {"file": ("脱贫户.csv", rows.encode(), "text/csv"), "area_code": (None, w.EAST)}


async def _poverty_list(session: AsyncSession, by: Login, area: str) -> uuid.UUID:
    """A list uploaded earlier for ``area``, for the routes that read one back."""
    made = PovertyList(created_by_id=by.user_id, created_by_username=by.username,
                       file_name="脱贫户.xlsx", sha256="0" * 64, status=ImportStatus.STORED,
                       area_code=area)  # fmt: skip
    session.add(made)
    await session.commit()
    return made.id


def _roster_sheet() -> dict[str, Any]:
    """A roster whose one row is refused (X is no student number): a 422 that changes nothing,
    so the school's pupils stay registered for the rest of the walk."""
    rows = "学籍号,姓名,性别,出生日期,年级\nX1,走查,男,2017-03-01,3\n"
    return {"file": ("学籍.csv", rows.encode(), "text/csv")}


async def _roster(session: AsyncSession, by: Login, school_id: uuid.UUID) -> uuid.UUID:
    """A school's roster uploaded earlier, for the routes that read one back."""
    made = Roster(created_by_id=by.user_id, created_by_username=by.username, school_id=school_id,
                  term="2026-2027-1", version=1, file_name="学籍.xlsx", sha256="0" * 64,
                  status=ImportStatus.STORED)  # fmt: skip
    session.add(made)
    await session.commit()
    return made.id


async def _reconciliation(
    session: AsyncSession, by: Login, *, area: str, school: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """A completed run over ``area`` and one discrepancy of it at ``school``."""
    run = Reconciliation(
        term="2026-2027-1",
        area_code=area[:6],
        created_by_id=by.user_id,
        created_by_username=by.username,
        status=ReconciliationStatus.COMPLETED,
    )
    session.add(run)
    await session.flush()
    found = Discrepancy(reconciliation_id=run.id, kind=DiscrepancyKind.UNKNOWN_TO_POPULATION,
                        key=f"walk:{uuid.uuid4()}", area_code=area, school_id=school,
                        name="走查")  # fmt: skip
    session.add(found)
    await session.commit()
    return run.id, found.id


def _start_run(ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"school_id": str(ids["school"])}


def _explain(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"action": "explained", "note": "走查"}


def _redescribe(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"description": f"省级看板{next(_names)}"}


def _webhook_body(_ids: dict[str, uuid.UUID]) -> dict[str, Any]:
    return {"url": f"http://127.0.0.1:9/walk/{next(_names)}", "events": ["case.created"]}


async def _webhook(
    session: AsyncSession, by: Login, area: str = w.COUNTY
) -> tuple[uuid.UUID, uuid.UUID]:
    """A subscription of ``area`` and a dead delivery of it, for the routes that read or
    resend them."""
    made = WebhookSubscription(url="http://127.0.0.1:9/walk", secret="s" * 43,
                               event_types=["case.created"], area_code=area,
                               created_by_id=by.user_id)  # fmt: skip
    event = WebhookEvent(type="case.created", area_code=area, payload={})
    session.add_all([made, event])
    await session.flush()
    dead = WebhookDelivery(event_id=event.id, subscription_id=made.id, attempts=8,
                           status=DeliveryStatus.DEAD, next_attempt_at=None)  # fmt: skip
    session.add(dead)
    await session.commit()
    return made.id, dead.id


OPEN = None  # a route anyone (or any logged-in user) may call
ROUTES: dict[tuple[str, str], tuple[Call, Resource, Action] | None] = {
    ("GET", "/api/v1/health"): OPEN,
    ("POST", "/api/v1/auth/token"): OPEN,
    ("POST", "/api/v1/auth/refresh"): OPEN,
    ("POST", "/api/v1/auth/logout"): OPEN,
    ("GET", "/api/v1/me"): OPEN,
    ("POST", "/api/v1/me/password"): OPEN,
    ("GET", "/api/v1/areas"): (Call("GET", "/api/v1/areas"), Resource.AREA, Action.READ),
    # Areas are public data: another county's area is a 200, not a 404, so this route names a
    # literal code rather than a placeholder and stays out of the IDOR walk.
    ("GET", "/api/v1/areas/{code}"): (
        Call("GET", f"/api/v1/areas/{w.DONG}"),
        Resource.AREA,
        Action.READ,
    ),
    ("POST", "/api/v1/areas/import"): (
        Call("POST", "/api/v1/areas/import", files=_area_list),
        Resource.AREA,
        Action.WRITE,
    ),
    ("GET", "/api/v1/users"): (Call("GET", "/api/v1/users"), Resource.USER, Action.READ),
    ("POST", "/api/v1/users"): (
        Call("POST", "/api/v1/users", _new_account),
        Resource.USER,
        Action.WRITE,
    ),
    ("GET", "/api/v1/users/{user_id}"): (
        Call("GET", "/api/v1/users/{user}"),
        Resource.USER,
        Action.READ,
    ),
    ("PATCH", "/api/v1/users/{user_id}"): (
        Call("PATCH", "/api/v1/users/{user}", _rename),
        Resource.USER,
        Action.WRITE,
    ),
    ("POST", "/api/v1/users/{user_id}/password-reset"): (
        Call("POST", "/api/v1/users/{user}/password-reset"),
        Resource.USER,
        Action.WRITE,
    ),
    ("GET", "/api/v1/integration-clients"): (
        Call("GET", "/api/v1/integration-clients"),
        Resource.INTEGRATION_CLIENT,
        Action.READ,
    ),
    ("POST", "/api/v1/integration-clients"): (
        Call("POST", "/api/v1/integration-clients", _new_client),
        Resource.INTEGRATION_CLIENT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/integration-clients/{integration_client_id}"): (
        Call("GET", "/api/v1/integration-clients/{machine}"),
        Resource.INTEGRATION_CLIENT,
        Action.READ,
    ),
    ("PATCH", "/api/v1/integration-clients/{integration_client_id}"): (
        Call("PATCH", "/api/v1/integration-clients/{machine}", _rename),
        Resource.INTEGRATION_CLIENT,
        Action.WRITE,
    ),
    ("POST", "/api/v1/integration-clients/{integration_client_id}/secret"): (
        Call("POST", "/api/v1/integration-clients/{machine}/secret", _no_grace),
        Resource.INTEGRATION_CLIENT,
        Action.WRITE,
    ),
    ("POST", "/api/v1/integration-clients/{integration_client_id}/revoke"): (
        Call("POST", "/api/v1/integration-clients/{machine}/revoke"),
        Resource.INTEGRATION_CLIENT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/schools"): (Call("GET", "/api/v1/schools"), Resource.SCHOOL, Action.READ),
    ("GET", "/api/v1/schools/{school_id}"): (
        Call("GET", "/api/v1/schools/{school}"),
        Resource.SCHOOL,
        Action.READ,
    ),
    ("GET", "/api/v1/households"): (
        Call("GET", "/api/v1/households"),
        Resource.HOUSEHOLD,
        Action.READ,
    ),
    ("GET", "/api/v1/households/{household_id}"): (
        Call("GET", "/api/v1/households/{household}"),
        Resource.HOUSEHOLD,
        Action.READ,
    ),
    ("GET", "/api/v1/households/{household_id}/visits"): (
        Call("GET", "/api/v1/households/{household}/visits"),
        Resource.VISIT,
        Action.READ,
    ),
    ("GET", "/api/v1/children"): (Call("GET", "/api/v1/children"), Resource.CHILD, Action.READ),
    ("GET", "/api/v1/children/{child_id}"): (
        Call("GET", "/api/v1/children/{child}"),
        Resource.CHILD,
        Action.READ,
    ),
    ("GET", "/api/v1/audit-events"): (
        Call("GET", "/api/v1/audit-events"),
        Resource.AUDIT,
        Action.READ,
    ),
    ("POST", "/api/v1/children"): (
        Call("POST", "/api/v1/children", _new_child),
        Resource.CHILD,
        Action.WRITE,
    ),
    ("PATCH", "/api/v1/children/{child_id}"): (
        Call("PATCH", "/api/v1/children/{child}", _readdress),
        Resource.CHILD,
        Action.WRITE,
    ),
    ("POST", "/api/v1/households"): (
        Call("POST", "/api/v1/households", _new_household),
        Resource.HOUSEHOLD,
        Action.WRITE,
    ),
    ("PATCH", "/api/v1/households/{household_id}"): (
        Call("PATCH", "/api/v1/households/{household}", _renote),
        Resource.HOUSEHOLD,
        Action.WRITE,
    ),
    ("POST", "/api/v1/children/{child_id}/status-changes"): (
        Call("POST", "/api/v1/children/{child}/status-changes", _drops_out),
        Resource.CHILD,
        Action.WRITE,
    ),
    ("GET", "/api/v1/children/{child_id}/status-changes"): (
        Call("GET", "/api/v1/children/{child}/status-changes"),
        Resource.CHILD,
        Action.READ,
    ),
    ("GET", "/api/v1/enrolments"): (
        Call("GET", "/api/v1/enrolments"),
        Resource.CHILD,
        Action.READ,
    ),
    ("GET", "/api/v1/enrolments/doubles"): (
        Call("GET", "/api/v1/enrolments/doubles"),
        Resource.CHILD,
        Action.READ,
    ),
    ("POST", "/api/v1/enrolments"): (
        Call("POST", "/api/v1/enrolments", _new_enrolment),
        Resource.ROSTER,
        Action.WRITE,
    ),
    ("POST", "/api/v1/children/{child_id}/transfers"): (
        Call("POST", "/api/v1/children/{child}/transfers", _transfer),
        Resource.ROSTER,
        Action.WRITE,
    ),
    # Any logged-in user may upload; a download is for whoever may see what it proves.
    ("POST", "/api/v1/attachments"): OPEN,
    ("GET", "/api/v1/attachments/{attachment_id}"): OPEN,
    ("POST", "/api/v1/children/{child_id}/status-applications"): (
        Call("POST", "/api/v1/children/{child}/status-applications", _apply),
        Resource.CHILD,
        Action.WRITE,
    ),
    ("GET", "/api/v1/children/{child_id}/status-applications"): (
        Call("GET", "/api/v1/children/{child}/status-applications"),
        Resource.CHILD,
        Action.READ,
    ),
    ("GET", "/api/v1/status-applications"): (
        Call("GET", "/api/v1/status-applications"),
        Resource.STATUS_APPROVAL,
        Action.READ,
    ),
    ("POST", "/api/v1/status-applications/{application_id}/decision"): (
        Call("POST", "/api/v1/status-applications/{application}/decision", _approve),
        Resource.STATUS_APPROVAL,
        Action.WRITE,
    ),
    ("POST", "/api/v1/schools"): (
        Call("POST", "/api/v1/schools", _new_school),
        Resource.SCHOOL,
        Action.WRITE,
    ),
    ("PATCH", "/api/v1/schools/{school_id}"): (
        Call("PATCH", "/api/v1/schools/{school}", _rephone),
        Resource.SCHOOL,
        Action.WRITE,
    ),
    ("POST", "/api/v1/schools/{school_id}/classes"): (
        Call("POST", "/api/v1/schools/{school}/classes", _new_class),
        Resource.SCHOOL,
        Action.WRITE,
    ),
    ("POST", "/api/v1/schools/{school_id}/roster"): (
        Call("POST", "/api/v1/schools/{school}/roster", files=_roster_sheet),
        Resource.ROSTER,
        Action.WRITE,
    ),
    ("GET", "/api/v1/schools/{school_id}/rosters"): (
        Call("GET", "/api/v1/schools/{school}/rosters"),
        Resource.ROSTER,
        Action.READ,
    ),
    ("GET", "/api/v1/rosters/{roster_id}"): (
        Call("GET", "/api/v1/rosters/{roster}"),
        Resource.ROSTER,
        Action.READ,
    ),
    ("GET", "/api/v1/rosters/{roster_id}/entries"): (
        Call("GET", "/api/v1/rosters/{roster}/entries"),
        Resource.ROSTER,
        Action.READ,
    ),
    ("GET", "/api/v1/rosters/{roster_id}/report.xlsx"): (
        Call("GET", "/api/v1/rosters/{roster}/report.xlsx"),
        Resource.ROSTER,
        Action.READ_PERSONAL,
    ),
    ("GET", "/api/v1/assignments"): (
        Call("GET", "/api/v1/assignments"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("POST", "/api/v1/assignments"): (
        Call("POST", "/api/v1/assignments", _assign_teacher),
        Resource.ASSIGNMENT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/assignments/{assignment_id}"): (
        Call("GET", "/api/v1/assignments/{assignment}"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("GET", "/api/v1/children/{child_id}/responsibility"): (
        Call("GET", "/api/v1/children/{child}/responsibility"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("GET", "/api/v1/responsibility/gaps"): (
        Call("GET", "/api/v1/responsibility/gaps"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("GET", "/api/v1/responsibility/accountability/units"): (
        Call("GET", "/api/v1/responsibility/accountability/units"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("GET", "/api/v1/responsibility/accountability/people"): (
        Call("GET", "/api/v1/responsibility/accountability/people"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("POST", "/api/v1/assignments/{assignment_id}/end"): (
        Call("POST", "/api/v1/assignments/{assignment}/end", _end),
        Resource.ASSIGNMENT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/cases"): (Call("GET", "/api/v1/cases"), Resource.CASE, Action.READ),
    ("POST", "/api/v1/cases"): (
        Call("POST", "/api/v1/cases", _report_case),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/cases/{case_id}"): (
        Call("GET", "/api/v1/cases/{case}"),
        Resource.CASE,
        Action.READ,
    ),
    ("POST", "/api/v1/cases/{case_id}/transitions"): (
        Call("POST", "/api/v1/cases/{case}/transitions", _persuade),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/return-plan-templates"): OPEN,
    ("GET", "/api/v1/cases/{case_id}/plan"): (
        Call("GET", "/api/v1/cases/{case}/plan"),
        Resource.CASE,
        Action.READ,
    ),
    ("PUT", "/api/v1/cases/{case_id}/plan"): (
        Call("PUT", "/api/v1/cases/{case}/plan", _plan),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/cases/{case_id}/plan/versions"): (
        Call("GET", "/api/v1/cases/{case}/plan/versions"),
        Resource.CASE,
        Action.READ,
    ),
    ("GET", "/api/v1/notifications"): OPEN,
    ("POST", "/api/v1/notifications/{notification_id}/read"): OPEN,
    ("POST", "/api/v1/notifications/read-all"): OPEN,
    ("POST", "/api/v1/escalations/run"): (
        Call("POST", "/api/v1/escalations/run"),
        Resource.ESCALATION,
        Action.WRITE,
    ),
    ("GET", "/api/v1/exports/dropout-ledger.xlsx"): (
        Call("GET", "/api/v1/exports/dropout-ledger.xlsx"),
        Resource.CASE,
        Action.READ,
    ),
    ("POST", "/api/v1/cases/{case_id}/transfers"): (
        Call("POST", "/api/v1/cases/{case}/transfers", _case_transfer),
        Resource.CASE,
        Action.WRITE,
    ),
    ("POST", "/api/v1/cases/{case_id}/transfers/{transfer_id}/{decision}"): (
        Call("POST", "/api/v1/cases/{case}/transfers/{application}/accept", _decision),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/cases/{case_id}/attempts"): (
        Call("GET", "/api/v1/cases/{case}/attempts"),
        Resource.CASE,
        Action.READ,
    ),
    ("POST", "/api/v1/cases/{case_id}/attempts"): (
        Call("POST", "/api/v1/cases/{case}/attempts", _attempt),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/cases/{case_id}/follow-ups"): (
        Call("GET", "/api/v1/cases/{case}/follow-ups"),
        Resource.CASE,
        Action.READ,
    ),
    ("POST", "/api/v1/cases/{case_id}/follow-ups/{number}"): (
        Call("POST", "/api/v1/cases/{case}/follow-ups/1", _follow_up),
        Resource.CASE,
        Action.WRITE,
    ),
    ("GET", "/api/v1/campaigns"): (
        Call("GET", "/api/v1/campaigns"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("POST", "/api/v1/campaigns"): (
        Call("POST", "/api/v1/campaigns", _campaign),
        Resource.CAMPAIGN,
        Action.WRITE,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): (
        Call("GET", "/api/v1/campaigns/{campaign}"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/start"): (
        Call("POST", "/api/v1/campaigns/{campaign}/start", _start),
        Resource.CAMPAIGN,
        Action.WRITE,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/coverage"): (
        Call("GET", "/api/v1/campaigns/{campaign}/coverage"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/unvisited"): (
        Call("GET", "/api/v1/campaigns/{campaign}/unvisited"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/registration-form.xlsx"): (
        Call("GET", "/api/v1/campaigns/{campaign}/registration-form.xlsx?area=" + w.DONG),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/summary"): (
        Call("GET", "/api/v1/campaigns/{campaign}/summary"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/summary.xlsx"): (
        Call("GET", "/api/v1/campaigns/{campaign}/summary.xlsx"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/summary.html"): (
        Call("GET", "/api/v1/campaigns/{campaign}/summary.html"),
        Resource.CAMPAIGN,
        Action.READ,
    ),
    ("GET", "/api/v1/stats/overview"): (
        Call("GET", "/api/v1/stats/overview"),
        Resource.STATISTICS,
        Action.READ,
    ),
    ("GET", "/api/v1/stats/breakdown"): (
        Call("GET", "/api/v1/stats/breakdown?by=area"),
        Resource.STATISTICS,
        Action.READ,
    ),
    ("GET", "/api/v1/stats/monthly-report"): (
        Call("GET", "/api/v1/stats/monthly-report?school={school}"),
        Resource.SCHOOL_REPORT,
        Action.READ,
    ),
    ("GET", "/api/v1/exports/monthly-report.xlsx"): (
        Call("GET", "/api/v1/exports/monthly-report.xlsx?school={school}"),
        Resource.SCHOOL_REPORT,
        Action.READ,
    ),
    ("GET", "/api/v1/exports/children-ledger.xlsx"): (
        Call("GET", "/api/v1/exports/children-ledger.xlsx"),
        Resource.CHILD,
        Action.READ,
    ),
    ("GET", "/api/v1/exports/statistics.xlsx"): (
        Call("GET", "/api/v1/exports/statistics.xlsx?by=reason"),
        Resource.STATISTICS,
        Action.READ,
    ),
    ("GET", "/api/v1/stats/assessment"): (
        Call("GET", "/api/v1/stats/assessment?level=township"),
        Resource.STATISTICS,
        Action.READ,
    ),
    ("GET", "/api/v1/exports/assessment.xlsx"): (
        Call("GET", "/api/v1/exports/assessment.xlsx?level=school"),
        Resource.STATISTICS,
        Action.READ,
    ),
    ("POST", "/api/v1/visits/batch"): (
        Call("POST", "/api/v1/visits/batch", _visit_batch),
        Resource.VISIT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/work-package"): (
        Call("GET", "/api/v1/work-package"),
        Resource.VISIT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/webhooks"): (Call("GET", "/api/v1/webhooks"), Resource.WEBHOOK, Action.READ),
    ("POST", "/api/v1/webhooks"): (
        Call("POST", "/api/v1/webhooks", _webhook_body),
        Resource.WEBHOOK,
        Action.WRITE,
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}"): (
        Call("GET", "/api/v1/webhooks/{webhook}"),
        Resource.WEBHOOK,
        Action.READ,
    ),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): (
        Call("PATCH", "/api/v1/webhooks/{webhook}", _redescribe),
        Resource.WEBHOOK,
        Action.WRITE,
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/ping"): (
        Call("POST", "/api/v1/webhooks/{webhook}/ping"),
        Resource.WEBHOOK,
        Action.WRITE,
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): (
        Call("GET", "/api/v1/webhooks/{webhook}/deliveries"),
        Resource.WEBHOOK,
        Action.READ,
    ),
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/redeliver"): (
        Call("POST", "/api/v1/webhooks/deliveries/{delivery}/redeliver"),
        Resource.WEBHOOK,
        Action.WRITE,
    ),
    # Removals last, of records kept spare for them.
    ("DELETE", "/api/v1/children/{child_id}"): (
        Call("DELETE", "/api/v1/children/{spare_child}?reason=登记错误"),
        Resource.CHILD,
        Action.WRITE,
    ),
    ("DELETE", "/api/v1/households/{household_id}"): (
        Call("DELETE", "/api/v1/households/{spare_household}?reason=登记错误"),
        Resource.HOUSEHOLD,
        Action.WRITE,
    ),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): (
        Call("DELETE", "/api/v1/webhooks/{webhook}"),
        Resource.WEBHOOK,
        Action.WRITE,
    ),
    ("POST", "/api/v1/households/import"): (
        Call("POST", "/api/v1/households/import", files=_household_sheet),
        Resource.HOUSEHOLD,
        Action.WRITE,
    ),
    ("GET", "/api/v1/households/imports/{import_id}"): (
        Call("GET", "/api/v1/households/imports/{household_import}"),
        Resource.HOUSEHOLD,
        Action.READ,
    ),
    ("GET", "/api/v1/households/imports/{import_id}/report.xlsx"): (
        Call("GET", "/api/v1/households/imports/{household_import}/report.xlsx"),
        Resource.HOUSEHOLD,
        Action.READ_PERSONAL,
    ),
    ("POST", "/api/v1/assignments/import"): (
        Call("POST", "/api/v1/assignments/import", files=_assignment_sheet),
        Resource.ASSIGNMENT,
        Action.WRITE,
    ),
    ("GET", "/api/v1/assignments/imports/{import_id}"): (
        Call("GET", "/api/v1/assignments/imports/{assignment_import}"),
        Resource.ASSIGNMENT,
        Action.READ,
    ),
    ("GET", "/api/v1/assignments/imports/{import_id}/report.xlsx"): (
        Call("GET", "/api/v1/assignments/imports/{assignment_import}/report.xlsx"),
        Resource.ASSIGNMENT,
        Action.WRITE,
    ),
    ("POST", "/api/v1/reconciliations"): (
        Call("POST", "/api/v1/reconciliations", _start_run),
        Resource.RECONCILIATION,
        Action.WRITE,
    ),
    ("GET", "/api/v1/reconciliations"): (
        Call("GET", "/api/v1/reconciliations"),
        Resource.RECONCILIATION,
        Action.READ,
    ),
    ("GET", "/api/v1/reconciliations/{reconciliation_id}"): (
        Call("GET", "/api/v1/reconciliations/{reconciliation}"),
        Resource.RECONCILIATION,
        Action.READ,
    ),
    ("GET", "/api/v1/reconciliations/{reconciliation_id}/discrepancies"): (
        Call("GET", "/api/v1/reconciliations/{reconciliation}/discrepancies"),
        Resource.RECONCILIATION,
        Action.READ,
    ),
    (
        "GET",
        "/api/v1/reconciliations/{reconciliation_id}/discrepancies/{discrepancy_id}/candidates",
    ): (
        Call(
            "GET",
            "/api/v1/reconciliations/{reconciliation}/discrepancies/{discrepancy}/candidates",
        ),
        Resource.RECONCILIATION,
        Action.READ,
    ),
    (
        "POST",
        "/api/v1/reconciliations/{reconciliation_id}/discrepancies/{discrepancy_id}/resolution",
    ): (
        Call(
            "POST",
            "/api/v1/reconciliations/{reconciliation}/discrepancies/{discrepancy}/resolution",
            _explain,
        ),
        Resource.RECONCILIATION,
        Action.WRITE,
    ),
    ("POST", "/api/v1/poverty-lists"): (
        Call("POST", "/api/v1/poverty-lists", files=_poverty_sheet),
        Resource.POVERTY_LIST,
        Action.WRITE,
    ),
    ("GET", "/api/v1/poverty-lists"): (
        Call("GET", "/api/v1/poverty-lists"),
        Resource.POVERTY_LIST,
        Action.READ,
    ),
    ("GET", "/api/v1/poverty-lists/{list_id}"): (
        Call("GET", "/api/v1/poverty-lists/{poverty_list}"),
        Resource.POVERTY_LIST,
        Action.READ,
    ),
    ("GET", "/api/v1/poverty-lists/{list_id}/members"): (
        Call("GET", "/api/v1/poverty-lists/{poverty_list}/members"),
        Resource.POVERTY_LIST,
        Action.READ,
    ),
    ("GET", "/api/v1/poverty-lists/{list_id}/report.xlsx"): (
        Call("GET", "/api/v1/poverty-lists/{poverty_list}/report.xlsx"),
        Resource.POVERTY_LIST,
        Action.READ_PERSONAL,
    ),
}
# Each role with the coverage it has in the walk, inside 测试县.
COVERAGE: dict[UserRole, dict[str, str]] = {
    UserRole.COUNTY_ADMIN: {"area_code": w.COUNTY},
    UserRole.SUPERVISOR: {"area_code": w.COUNTY},
    UserRole.TOWNSHIP_OFFICER: {"area_code": w.EAST},
    UserRole.VILLAGE_CADRE: {"area_code": w.DONG},
    UserRole.PRINCIPAL: {"school": "east"},
    UserRole.TEACHER: {"klass": "east-3-1"},
}
PEOPLE = list(COVERAGE)
OBJECT_ROUTES = [key for key, walk in ROUTES.items() if walk and "{" in walk[0].path]


def test_every_route_is_walked(app: FastAPI) -> None:
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert served == set(ROUTES), "add the new route to ROUTES, with what it needs"


def test_the_matrix_names_every_role_and_write_implies_read() -> None:
    assert set(MATRIX) == set(UserRole)
    for role, grants in MATRIX.items():
        for resource, actions in grants.items():
            if Action.WRITE in actions:
                assert Action.READ_PERSONAL in actions, (role, resource)
            if actions:
                assert Action.READ in actions, (role, resource)


async def _fill(call: Call, ids: dict[str, uuid.UUID]) -> str:
    return call.path.format(**{k: str(v) for k, v in ids.items()})


async def _send(
    client: httpx.AsyncClient, call: Call, ids: dict[str, uuid.UUID], headers: dict[str, str]
) -> httpx.Response:
    body = call.body(ids) if call.body else None
    files = call.files() if call.files else None
    return await client.request(
        call.method, await _fill(call, ids), json=body, files=files, headers=headers
    )


async def _login(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole
) -> tuple[Login, dict[str, str]]:
    login = await world.login(session, role, **COVERAGE[role])
    return login, bearer((await token_for(client, login))["access_token"])


@pytest.mark.parametrize("role", PEOPLE, ids=[r.value for r in PEOPLE])
async def test_each_role_gets_exactly_what_the_matrix_grants(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole
) -> None:
    login, headers = await _login(client, session, world, role)
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    child = world.children["dong_a"]
    own = {
        "teacher": teacher.user_id,
        "klass": world.classes["east-3-1"],
        "assignment": await _assignment(
            session, teacher.user_id, kind=AssignmentKind.CHILD, child_id=child
        ),
        "child": child,
        "household": world.households["dong_a"],
        "school": world.schools["east"],
        "other_school": world.schools["west"],
        "application": uuid.uuid4(),
        "user": teacher.user_id,  # an account every role granted USER manages
        "machine": (
            await make_user(session, role=UserRole.INTEGRATION_CLIENT, area_code=w.EAST)
        ).user_id,
        "spare_child": world.children["dong_b"],
        "spare_household": await w.empty_household(session, w.DONG),
        "household_import": await _import(session, login, HouseholdImport),
        "assignment_import": await _import(session, login, AssignmentImport),
        "roster": await _roster(session, login, world.schools["east"]),
        "poverty_list": await _poverty_list(session, login, w.EAST),
        "case": await _case(session, child, login),
        **dict(
            zip(
                ("reconciliation", "discrepancy"),
                await _reconciliation(session, login, area=w.DONG, school=world.schools["east"]),
                strict=True,
            )
        ),
        "campaign": await _planned_campaign(session, login),
        **dict(zip(("webhook", "delivery"), await _webhook(session, login), strict=True)),
    }
    actor = Actor(user_id=login.user_id, username=login.username, role=role)
    for walk in ROUTES.values():
        if walk is None:
            continue
        call, resource, action = walk
        response = await _send(client, call, own, headers)
        if allowed(actor, resource, action):
            # Granted: never a 403 (the record may still be out of this role's reach, or the
            # write refused by the rules; test_access and the concept's tests cover those).
            assert response.status_code != 403, (role, call, response.text)
            assert response.status_code < 500, (role, call, response.text)
            if call.method == "GET":
                assert response.status_code == 200, (role, call, response.text)
        else:
            assert response.status_code == 403, (role, call, response.status_code)
            assert response.json()["type"] == "urn:baoxue:problem:forbidden"
    # Read personal: a detail is whole exactly for the roles granted it.
    detail = await client.get(f"/api/v1/children/{own['child']}", headers=headers)
    full = allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    assert detail.json()["masked"] is (not full), role


@pytest.mark.parametrize("role", PEOPLE, ids=[r.value for r in PEOPLE])
async def test_no_object_of_another_area_is_reachable_by_id(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, role: UserRole
) -> None:
    login, headers = await _login(client, session, world, role)
    stranger = await make_user(session, role=UserRole.VILLAGE_CADRE, area_code=w.NEIGHBOUR_VILLAGE)
    actor = Actor(user_id=login.user_id, username=login.username, role=role)
    elsewhere = {
        "assignment": await _assignment(
            session,
            stranger.user_id,
            kind=AssignmentKind.VILLAGE,
            area_code=w.NEIGHBOUR_VILLAGE,
        ),
        "child": world.children["lin_a"],
        "household": world.households["lin_a"],
        "school": world.schools["neighbour"],
        "other_school": world.schools["east"],
        "application": uuid.uuid4(),
        "user": stranger.user_id,
        "machine": (
            await make_user(session, role=UserRole.INTEGRATION_CLIENT, area_code=w.NEIGHBOUR)
        ).user_id,
        "spare_child": world.children["lin_a"],
        "spare_household": world.households["lin_a"],
        "household_import": await _import(session, stranger, HouseholdImport),
        "assignment_import": await _import(session, stranger, AssignmentImport),
        "roster": await _roster(session, stranger, world.schools["neighbour"]),
        "poverty_list": await _poverty_list(session, stranger, w.NEIGHBOUR_TOWN),
        "case": await _case(session, world.children["lin_a"], stranger),
        **dict(
            zip(
                ("reconciliation", "discrepancy"),
                await _reconciliation(
                    session, stranger, area=w.NEIGHBOUR_VILLAGE, school=world.schools["neighbour"]
                ),
                strict=True,
            )
        ),
        "campaign": await _neighbour_campaign(session, stranger),
        **dict(
            zip(
                ("webhook", "delivery"), await _webhook(session, stranger, w.NEIGHBOUR), strict=True
            )
        ),
    }
    for key in OBJECT_ROUTES:
        walk = ROUTES[key]
        assert walk is not None
        call, resource, action = walk
        response = await _send(client, call, elsewhere, headers)
        expected = 404 if allowed(actor, resource, action) else 403
        assert response.status_code == expected, (role, key, response.status_code)
        # Nor does an id that exists nowhere answer differently from one that exists elsewhere.
        nowhere = dict.fromkeys(elsewhere, uuid.uuid4())
        assert (await _send(client, call, nowhere, headers)).status_code == expected


async def test_integration_clients_get_what_their_scopes_say(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    async def client_headers(scopes: str) -> dict[str, str]:
        machine = await make_user(
            session, role=UserRole.INTEGRATION_CLIENT, api_scopes=scopes, area_code=w.COUNTY
        )
        form = {"grant_type": "client_credentials", "client_id": machine.username,
                "client_secret": machine.password}  # fmt: skip
        issued = await client.post("/api/v1/auth/token", data=form)
        return bearer(issued.json()["access_token"])

    child = f"/api/v1/children/{world.children['xi_a']}"
    reader = await client_headers("children:read")
    assert (await client.get("/api/v1/children", headers=reader)).json()["total"] == 4
    assert (await client.get(child, headers=reader)).json()["masked"] is True
    assert (await client.get("/api/v1/households", headers=reader)).status_code == 403
    assert (await client.get("/api/v1/users", headers=reader)).status_code == 403
    outside = f"/api/v1/children/{world.children['lin_a']}"
    assert (await client.get(outside, headers=reader)).status_code == 404
    personal = await client_headers("children:read_personal")
    assert (await client.get(child, headers=personal)).json()["masked"] is False
