from fastapi import APIRouter

from api import uploads
from api.schemas.household_import import HouseholdImportOut
from api.services.registry import household_import

# Included before the households router, so that /households/import is never taken for a
# household's id.
router = APIRouter(prefix="/households", tags=["households"])


uploads.add_import(
    router,
    "/import",
    name="import_households",
    import_file=household_import.import_file,
    answer=HouseholdImportOut,
    summary="Import households and children from a county's XLSX or CSV spreadsheet",
    description=(
        "One sheet, one row per child, the household's columns repeated on each of its rows."
        " Headings in Chinese (区划代码, 家庭住址, 户主姓名, 联系电话, 是否建档立卡户, 是否低保户,"
        " 儿童姓名, 性别, 出生日期, 身份证号码, 户籍地址, 留守情况, 残疾类别, 残疾等级, 安置方式,"
        " 孤儿, 事实无人抚养, 困境儿童, 随迁子女, 监护人姓名, 与儿童关系, 监护人电话) or the API's"
        " field names (`area_code`, ..., `name`, `sex`, `birth_date`, `id_number`, ... and"
        " `guardian_name`, `guardian_relation`, `guardian_phone`); flags as 是/否, Y/N or 1/0;"
        " dates as Excel dates or 2017-03-01, 2017/3/1, 20170301. CSV in UTF-8 (with or"
        " without BOM) or GB18030. Each row is checked with"
        " the rules of registering one child; good rows are stored, bad ones reported by row"
        " number and heading (`errors`), and downloadable with their faults from"
        " `GET /households/imports/{id}/report.xlsx`. A household is matched by area code,"
        " address and head's name, a child by ID number (or household, name and birth date):"
        " importing the same file again adds nothing. A bad row is refused alone: the good"
        " rows of its household are kept. A household is created only when one of its rows"
        f" adds a child; a registered one is left as it is. At most {uploads.MEGABYTES} MB and"
        f" {household_import.MAX_ROWS} rows a file."
    ),
)


uploads.add_import_page(
    router,
    "/imports/{import_id}",
    name="get_household_import",
    get=household_import.get,
    answer=HouseholdImportOut,
    summary="An import's counts, and the faults of its refused rows, a page at a time",
)


uploads.add_report(
    router,
    "/imports/{import_id}/report.xlsx",
    name="get_household_import_report",
    report=household_import.report,
    ascii_name="import-errors.xlsx",
    summary="The refused rows as in the file, with 错误说明; fix them there and import it again",
)
