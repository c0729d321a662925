from fastapi import APIRouter

from api import uploads
from api.schemas.assignments import AssignmentImportOut
from api.services.responsibility import assignment_import

# Included before the assignments router, so that /assignments/import is never taken for an
# assignment's id.
router = APIRouter(prefix="/assignments", tags=["assignments"])


uploads.add_import(
    router,
    "/import",
    name="import_assignments",
    import_file=assignment_import.import_file,
    answer=AssignmentImportOut,
    summary="Assign many at once from a county's XLSX or CSV table of assignments (分工表)",
    description=(
        "One row per assignment. Headings in Chinese or the API's names: 分工类型 (`kind`:"
        " 包村, 包组, 包校, 班主任, 包保学生 or village, group, school, class, child), the person"
        " by 负责人账号 (`username`) or 负责人手机 (`phone`, when one account has it) with"
        " 负责人姓名 (`display_name`, checked against the account), and what they answer for:"
        " 区划代码 (`area_code`) of a village or group; 学校标识码 (`school_code`) of a school;"
        " 学校标识码 with 班级 (`class_name`: 三年级2班, or 2 with 年级 `grade`) of this school"
        " year's class; 身份证号码 (`id_number`) of a child. 开始日期 (`valid_from`) is today"
        " when left empty. Each row is held to the rules of `POST /assignments`: the kind's"
        " roles, both your coverage and the person's, a start neither in the future nor before"
        " the current holder's, who is then ended. A row naming who is responsible already"
        " changes nothing (`unchanged`), so the same file again adds nothing; the same object"
        " twice in a file is refused at its second row. Good rows are stored, bad ones"
        " reported by row and heading, and downloadable with their faults from"
        " `GET /assignments/imports/{id}/report.xlsx`."
        f" At most {uploads.MEGABYTES} MB and {assignment_import.MAX_ROWS} rows a file."
    ),
)


uploads.add_import_page(
    router,
    "/imports/{import_id}",
    name="get_assignment_import",
    get=assignment_import.get,
    answer=AssignmentImportOut,
    summary="An assignment import's counts, and the faults of its refused rows, a page at a time",
)


uploads.add_report(
    router,
    "/imports/{import_id}/report.xlsx",
    name="get_assignment_import_report",
    report=assignment_import.report,
    ascii_name="assignment-import-errors.xlsx",
    summary="The refused rows as in the file, with 错误说明; fix them there and import it again",
)
