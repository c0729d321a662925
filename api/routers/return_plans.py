import uuid

from fastapi import APIRouter, Response

from api import responses
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.schemas.return_plans import PlanTemplate, ReturnPlanIn, ReturnPlanOut
from api.services.cases import return_plans

router = APIRouter(tags=["cases"])


@router.get(
    "/return-plan-templates",
    summary="The seeds' support measures for each reason a child left, and the legal steps",
    responses={401: {}, 403: {}},
)
async def list_plan_templates(actor: ActorDep) -> list[PlanTemplate]:
    return return_plans.templates()


@router.get(
    "/cases/{case_id}/plan",
    summary="The case's return plan (一人一案); before one is saved, a pre-filled draft",
    description=(
        "A draft (version 0) names whoever each line of responsibility names for the child now"
        " and the measures of the template for the case's reason."
    ),
    responses={401: {}, 403: {}, 404: {}},
)
async def get_plan(
    case_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ReturnPlanOut:
    plan = await return_plans.get(session=session, actor=actor, settings=settings, case_id=case_id)
    responses.set_etag(response, plan.version)
    return plan


@router.put(
    "/cases/{case_id}/plan",
    summary="Save the return plan as its next version; the first moves a verified case on",
    description=(
        "Persons left out are whoever each line names for the child now; measures left out are"
        " the template's for the case's reason. `If-Match` with the version read (\"0\" before"
        " the first) refuses a change made meanwhile with 412."
    ),
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}, 422: {}},
)
async def put_plan(
    case_id: uuid.UUID,
    body: ReturnPlanIn,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> ReturnPlanOut:
    plan = await return_plans.put(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        data=body,
        expected_version=expected_version,
    )
    responses.set_etag(response, plan.version)
    return plan


@router.get(
    "/cases/{case_id}/plan/versions",
    summary="Every version of the case's return plan, the first first",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_plan_versions(
    case_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> list[ReturnPlanOut]:
    return await return_plans.versions(
        session=session, actor=actor, settings=settings, case_id=case_id
    )
