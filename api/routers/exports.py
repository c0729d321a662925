from fastapi import APIRouter, Response

from api import uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.routers.cases import CaseFilterDep
from api.services import dropout_ledger

router = APIRouter(prefix="/exports", tags=["cases"])


@router.get(
    "/dropout-ledger.xlsx",
    summary="The dropout ledger as XLSX (辍学学生台账), in its columns, scoped to the caller",
    description=(
        "The filters of `GET /cases`. `ledger=suspected` gives 疑似辍学学生台账 (reported, not"
        " yet verified), `ledger=confirmed` 辍学学生台账 (verified and not yet closed). A row a"
        " case: the child, school and grade, month of dropout, guardian and phone, home and"
        " registered address, reason, whereabouts, support given, source, reporter, the person"
        " answering on each line, status and deadlines, and every persuasion attempt. ID"
        " numbers and phones are whole only for a role that reads them, and that read is"
        " audited."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_dropout_ledger(
    actor: ActorDep, session: SessionDep, settings: SettingsDep, filters: CaseFilterDep
) -> Response:
    name, content = await dropout_ledger.export(
        session=session, actor=actor, settings=settings, filters=filters
    )
    return uploads.xlsx(name, content, ascii_name="dropout-ledger.xlsx")
