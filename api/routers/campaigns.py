import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from api import responses, uploads
from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.schemas.campaign_summary import CampaignSummary
from api.schemas.campaigns import (
    CampaignCoverage,
    CampaignCreate,
    CampaignOut,
    UnvisitedHousehold,
)
from api.schemas.common import AreaQuery, Limit, Offset, Page
from api.services.reports import campaign_summary, campaign_summary_html
from api.services.sweeps import campaigns, coverage, sweep_form

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@router.get(
    "",
    summary="Sweeps over the caller's areas or schools, the latest first",
    responses={401: {}, 403: {}},
)
async def list_campaigns(
    actor: ActorDep, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> Page[CampaignOut]:
    items, total = await campaigns.search(session=session, actor=actor, limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Plan a sweep (开学摸排, 控辍月, 暑期家访) of some areas, in its four phases",
    description=(
        "Phases left out split the campaign's days into 宣传, 排查, 劝返 and 总结. A campaign"
        " whose first day has come starts at once: its households in scope are fixed."
    ),
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_campaign(
    body: CampaignCreate,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> CampaignOut:
    made = await once.create(
        body=body,
        write=lambda: campaigns.create(session=session, actor=actor, settings=settings, data=body),
    )
    return CampaignOut.model_validate(made)


@router.get("/{campaign_id}", summary="One campaign", responses={401: {}, 403: {}, 404: {}})
async def get_campaign(
    campaign_id: uuid.UUID, response: Response, actor: ActorDep, session: SessionDep
) -> CampaignOut:
    campaign = await campaigns.get(session=session, actor=actor, campaign_id=campaign_id)
    responses.set_etag(response, campaign.version)
    return campaign


@router.post(
    "/{campaign_id}/start",
    summary="Start a campaign before its first day: its households in scope are fixed now",
    responses={401: {}, 403: {}, 404: {}, 409: {}, 412: {}},
)
async def start_campaign(
    campaign_id: uuid.UUID,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    expected_version: IfMatchDep,
) -> CampaignOut:
    campaign = await campaigns.start(
        session=session, actor=actor, campaign_id=campaign_id, expected_version=expected_version
    )
    responses.set_etag(response, campaign.version)
    return campaign


@router.get(
    "/{campaign_id}/coverage",
    summary="不漏一户、不漏一人: households and children in scope, reached, to revisit, refused",
    description=(
        "Within the caller's scope: totals, by area (`level`: township, village or group) and"
        " by the cadre covering each group (包组). Households in scope are those fixed when the"
        " campaign started and those registered in its areas since; children are those of"
        " compulsory-school age in them, confirmed when a visit of the campaign recorded their"
        " schooling. A household's state is that of its latest visit."
    ),
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def campaign_coverage(
    campaign_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    level: Literal["township", "village", "group"] = "village",
) -> CampaignCoverage:
    return await coverage.coverage(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id, level=level
    )


@router.get(
    "/{campaign_id}/unvisited",
    summary="The households in scope not yet reached: never visited, or nobody home",
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def campaign_unvisited(
    campaign_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    cadre: uuid.UUID | None = None,
    area: AreaQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UnvisitedHousehold]:
    return await coverage.unvisited(
        session=session,
        actor=actor,
        settings=settings,
        campaign_id=campaign_id,
        cadre_id=cadre,
        area=area,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{campaign_id}/registration-form.xlsx",
    summary="The sweep registration form (排查登记表) of a village or group, as XLSX",
    description=(
        "A row for each child of compulsory age in each household of the campaign's scope in"
        " `area` (a household with none: one row saying so), with what the campaign's latest"
        " visit found and who made it; blank where nobody has been yet, to carry and fill in."
        " Identifiers are whole only for a role that may read them, and that read is audited."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def get_registration_form(
    campaign_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: Annotated[str, Query(pattern=r"^\d{12}(\d{3})?$", description="a village or group")],
) -> Response:
    name, content = await sweep_form.form(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id, area=area
    )
    return uploads.xlsx(name, content, ascii_name=f"sweep-form-{area}.xlsx")


SUMMARY = (
    "The seed's fourth week (总结): 活动开展情况 (the campaign, its coverage in all and by area,"
    " visits per day and who made them), 取得的成效 (children checked and found out of school,"
    " cases opened during its dates by source, verified, returned; the statistics overview of"
    " its area), 存在的问题 (villages least covered, refusals, cases past 不过周, confirmed"
    " dropouts with no return plan, reasons) and 下一步工作 (sentences made from those figures,"
    " none when nothing is left). Within the caller's scope: the campaign's areas as far as"
    " the caller reaches into them."
)


@router.get(
    "/{campaign_id}/summary",
    summary="The campaign's summary report (总结报告): activity, results, problems, next steps",
    description=SUMMARY,
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_summary(
    campaign_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> CampaignSummary:
    return await campaign_summary.summarize(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id
    )


@router.get(
    "/{campaign_id}/summary.xlsx",
    summary="The campaign's summary report as XLSX, with its tables and charts",
    description=SUMMARY,
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def get_summary_workbook(
    campaign_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> Response:
    name, content = await campaign_summary.workbook(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id
    )
    return uploads.xlsx(name, content, ascii_name=f"campaign-summary-{campaign_id}.xlsx")


@router.get(
    "/{campaign_id}/summary.html",
    summary="The campaign's summary report as a page to print on A4, its charts in SVG",
    description=SUMMARY,
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, 401: {}, 403: {}, 404: {}, 422: {}},
)
async def get_summary_page(
    campaign_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    return HTMLResponse(
        await campaign_summary.page(
            session=session, actor=actor, settings=settings, campaign_id=campaign_id
        ),
        headers={"Content-Security-Policy": campaign_summary_html.POLICY},
    )
