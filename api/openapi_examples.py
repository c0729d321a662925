"""An example for every JSON body the OpenAPI documents, so that the reference shows each
endpoint with real-looking values: a field's own declared ``examples`` first, then the
domain's values by field name (a village's code, a pupil's name, a valid ID number), then
values made from the schema alone (an enum's first member, a fixed UUID or date, a number
within its bounds)."""

import re
import uuid
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]

_ID_NUMBER = "510821201703010114"  # check digit valid, born 2017-03-01
_NAMESPACE = uuid.UUID("6f1c2a9e-5b7d-4c3e-9a8f-0d1e2f3a4b5c")

# Meaningful values by field name; "Owner.field" wins over "field" (a school's name is not a
# pupil's). Each is used only where it fits the field's schema.
_BY_NAME: dict[str, Any] = {
    "name": "张小明",
    "Area*.name": "东镇",
    "AreaCoverage*.name": "东村",
    "StatisticsRow.name": "东村",
    "AssessmentRow.name": "东镇",
    "CoveredArea.name": "东镇",
    "SummaryPlace.name": "东村",
    "Unit*.name": "东村",
    "School*.name": "东镇中心小学",
    "CoveredUnit.name": "东镇中心小学",
    "SchoolClass*.name": "三年级1班",
    "*Campaign.name": "2026年秋季开学摸排",
    "Campaign*.name": "2026年秋季开学摸排",
    "SummaryActivity.name": "2026年秋季开学摸排",
    "*Guardian.name": "张大山",
    "Guardian*.name": "张大山",
    "StepPerson.name": "李华",
    "AssessmentComponent.name": "排查覆盖率",
    "PovertyMemberOut.name": "张小明",
    "code": "519901001",
    "School*.code": "2151990101",
    "area_code": "519901001001",
    "parent_code": "519901001",
    "to_area_code": "519901002001",
    "from_area_code": "519901001001",
    "area": "519901001",
    "within": "519901001001",
    "level": "township",
    "id_number": _ID_NUMBER,
    "student_number": f"G{_ID_NUMBER}",
    "phone": "13812345678",
    "applicant_phone": "13812345678",
    "address": "东村一组12号",
    "registered_address": "东村一组12号",
    "head_name": "张大山",
    "guardian_name": "张大山",
    "applicant_name": "张大山",
    "child_name": "张小明",
    "visitor_name": "王村官",
    "display_name": "李华",
    "username": "li.hua",
    "created_by": "li.hua",
    "actor_username": "li.hua",
    "password": "Baoxue-2026-pass",
    "current_password": "Ab3-one-time",
    "new_password": "Baoxue-2026-pass",
    "one_time_password": "Ab3-one-time",
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsaS5odWEifQ.c2lnbmF0dXJl",
    "refresh_token": "r1.Zm9yLWV4YW1wbGUtb25seQ",
    "token_type": "bearer",
    "scope": "roster:write reconciliations:write",
    "term": "2026-2027-1",
    "enrolment_term": "2026-2027-1",
    "month": "2026-09",
    "class_name": "三年级1班",
    "school_name": "东镇中心小学",
    "file_name": "东镇中心小学学生名册.xlsx",
    "content_type": "image/jpeg",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "note": "家长同意下周一送孩子返校",
    "reason_note": "家庭经济困难，孩子在家照顾生病的祖母",
    "decision_note": "材料齐全，同意缓学一年",
    "resolution_note": "已在学籍系统中更正出生日期",
    "support_given": "落实家庭经济困难学生生活补助",
    "whereabouts": "随父母在广东省东莞市",
    "work_place": "广东省东莞市",
    "disability_kind": "肢体残疾",
    "evidence": "转学联系函",
    "reason": "因病需长期治疗",
    "persons": "王村官（包组干部）、李老师（班主任）",
    "next_step": "一周后由班主任再次家访",
    "schedule": "第一周家访劝返，第二周返校跟踪",
    "detail": "入户核实",
    "title": "测试县控辍保学专项行动总结报告",
    "NotificationOut.title": "个案即将超过不过周期限",
    "NotificationOut.body": "张小明的个案须在明天前上报县教育局。",
    "Step.title": "包组干部",
    "label": "家庭经济困难",
    "kind_label": "开学摸排",
    "reason_label": "家庭经济困难",
    "gap": "无人包组",
    "via": "class",
    "role": "village_cadre",
    "relation": "户主",
    "household_number": "5199010010010012",
    "figure": "household_coverage",
    "deadline": "county",
    "to_unit": "测试县教育局",
    "phase": "matching",
    "error": None,
    "last_error": None,
    "key": f"not_enrolled:{_ID_NUMBER}",
    "match_reason": "id_number",
    "description": "市级控辍保学监测平台",
    "url": "https://dashboard.example.cn/baoxue/hooks",
    "secret": "whsec-3q2-Zm9yLWV4YW1wbGUtb25seQ",
    "client_id": "xueji.sync",
    "client_secret": "cs-3q2-Zm9yLWV4YW1wbGUtb25seQ",
    "event_type": "case.created",
    "object_type": "case",
    "object_id": "3f0c1b8e-9d2a-4c5e-8f7a-1b2c3d4e5f60",
    "request_id": "8c1f0a2b3d4e5f60",
    "client_ip": "10.12.0.8",
    "name_pinyin": "zhangxiaoming",
    "name_initials": "zxm",
    "head_pinyin": "zhangdashan",
    "head_initials": "zds",
    "field": "身份证件号",
    "message": "身份证号码校验位不对 (the ID number's check digit is wrong)",
    "msg": "身份证号码校验位不对 (the ID number's check digit is wrong)",
    "retention_rate_national_reason": "no roster history for the cohort",
    "WorkPackage.version": "v1.1788000000.3f2a9c1b7d4e",
    "status": "ok",
    "database": "ok",
    "grade": 3,
    "total": 1,
    "limit": 50,
    "offset": 0,
    "version": 1,
    "progress": 100,
    "expires_in": 900,
    "age": 9,
    "expected_grade": 3,
    "days_absent": 3,
    "disability_grade": 2,
    "left_behind": 1,
    "dropout_rate": 0.004,
    "counts": {"not_enrolled": 2, "unknown_to_population": 1},
    "api_scopes": ["reconciliations:write", "roster:write"],
    "ignored_columns": ["备注"],
    "loc": ["children", 0, "id_number"],
    "active": True,
    "current": True,
    "is_active": True,
    "is_compulsory_age": True,
    "masked": True,
}
_FORMATS: dict[str, str] = {
    "date": "2026-09-01",
    "date-time": "2026-09-01T08:30:00+08:00",
    "email": "li.hua@example.cn",
    "uri": "https://dashboard.example.cn/baoxue/hooks",
}
_DATES = {"birth_date": "2017-03-01", "entry_date": "2023-09-01"}
_DEPTH = 6  # a recursive shape (the area tree) stops here


class Examples:
    """Values for the schemas of one OpenAPI document (its components resolve the refs)."""

    def __init__(self, components: dict[str, Schema]) -> None:
        self.components = components

    def of(self, schema: Schema, *, request: bool) -> Any:
        """A whole body; a request shows its required fields and those with a known value."""
        return self._value(schema, owner="", field="", request=request, depth=0)

    def _value(self, schema: Schema, *, owner: str, field: str, request: bool, depth: int) -> Any:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = self.components[name]
            return self._value(target, owner=name, field=field, request=request, depth=depth + 1)
        if (declared := _declared(schema)) is not _NONE:
            return declared
        if (known := self._known(schema, owner, field)) is not _NONE:
            return known
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self._value(
                    branches[0], owner=owner, field=field, request=request, depth=depth
                )
        if "allOf" in schema:
            return self._value(
                schema["allOf"][0], owner=owner, field=field, request=request, depth=depth
            )
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        make: Callable[..., Any] = _MAKERS.get(str(kind), _anything)
        return make(self, schema, owner, field, request, depth)

    def _known(self, schema: Schema, owner: str, field: str) -> Any:
        if "default" in schema and schema["default"] is not None and schema.get("type") != "array":
            return schema["default"]
        for candidate in _candidates(owner, field):
            if _fits(candidate, schema):
                return candidate
        return _NONE

    def object(self, schema: Schema, owner: str, request: bool, depth: int) -> dict[str, Any]:
        properties: dict[str, Schema] = schema.get("properties", {})
        required = set(schema.get("required", []))
        shown: dict[str, Any] = {}
        for name, field_schema in properties.items():
            if request and name not in required and not self._shows(field_schema, owner, name):
                continue
            if depth >= _DEPTH and name not in required:
                continue
            shown[name] = self._value(
                field_schema, owner=owner, field=name, request=request, depth=depth + 1
            )
        if request and properties and not shown:  # all optional (a batch's lists): show them
            return self.object(schema, owner, False, depth)
        return shown

    def _shows(self, schema: Schema, owner: str, field: str) -> bool:
        """An optional request field worth showing: one that declares its examples, or one
        whose name has a meaningful value that fits it."""
        if _declared(schema) is not _NONE:
            return True
        return any(_fits(value, schema) for value in _candidates(owner, field) if value)


_NONE = object()


def _declared(schema: Schema) -> Any:
    """The value the schema itself gives, or one of its non-null branches gives."""
    for each in [schema, *(s for s in schema.get("anyOf", []) if s.get("type") != "null")]:
        if "const" in each:
            return each["const"]
        if "example" in each:
            return each["example"]
        if each.get("examples"):
            return each["examples"][0]
    return _NONE


def _candidates(owner: str, field: str) -> list[Any]:
    """The values named for this owner's field, the most specific first."""
    if not field:
        return []
    found = []
    for key, value in _BY_NAME.items():
        if "." not in key:
            continue
        pattern, name = key.split(".", 1)
        if name == field and _matches(pattern, owner):
            found.append(value)
    if field in _DATES:
        found.append(_DATES[field])
    if field in _BY_NAME:
        found.append(_BY_NAME[field])
    return found


def _matches(pattern: str, owner: str) -> bool:
    if pattern.startswith("*"):
        return owner.endswith(pattern[1:])
    if pattern.endswith("*"):
        return owner.startswith(pattern[:-1])
    return owner == pattern


def _fits(value: Any, schema: Schema) -> bool:
    """Whether a named value suits the field's schema (its type and string constraints)."""
    branches: list[Schema] = schema.get("anyOf") or schema.get("oneOf") or []
    if branches:
        return any(_fits(value, branch) for branch in branches)
    if "$ref" in schema or "allOf" in schema:
        return False
    kind = schema.get("type")
    if value is None:
        return kind == "null"
    if "enum" in schema:
        return value in schema["enum"]
    if isinstance(value, str):
        if kind != "string" or schema.get("format") in ("uuid", "date", "date-time", "binary"):
            return False
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
        return "pattern" not in schema or re.search(schema["pattern"], value) is not None
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, int | float):
        return kind in ("integer", "number") and _within(value, schema)
    if isinstance(value, dict):
        return kind == "object" and "properties" not in schema
    if isinstance(value, list):
        items = schema.get("items", {})
        return kind == "array" and all(_fits(each, items) for each in value)
    return False


def _within(value: float, schema: Schema) -> bool:
    return bool(
        value >= schema.get("minimum", value)
        and value <= schema.get("maximum", value)
        and value > schema.get("exclusiveMinimum", value - 1)
        and value < schema.get("exclusiveMaximum", value + 1)
    )


def _string(ex: Examples, schema: Schema, owner: str, field: str, *_: Any) -> Any:
    kind = schema.get("format")
    if kind == "uuid":
        subject = field if field != "id" else owner.removesuffix("Out").removesuffix("Detail")
        return str(uuid.uuid5(_NAMESPACE, subject or "id"))
    if kind in _FORMATS:
        return _DATES.get(field, _FORMATS[kind]) if kind == "date" else _FORMATS[kind]
    if kind == "binary":
        return None
    text = "东镇中心小学" if field.endswith("name") else "示例"
    low, high = schema.get("minLength", 0), schema.get("maxLength", 50)
    return (text * (low // len(text) + 1))[: max(low, min(high, len(text)))]


def _integer(ex: Examples, schema: Schema, *_: Any) -> int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    return int(min(max(1, low), schema.get("maximum", max(1, low))))


def _number(ex: Examples, schema: Schema, *_: Any) -> float:
    low = schema.get("minimum", 0.95)
    return float(min(max(0.95, low), schema.get("maximum", max(0.95, low))))


def _boolean(*_: Any) -> bool:
    return False  # a flag (is_orphan, must_change_password) is mostly off


def _array(
    ex: Examples, schema: Schema, owner: str, field: str, request: bool, depth: int
) -> list[Any]:
    items = schema.get("items", {})
    if depth >= _DEPTH and not schema.get("minItems"):
        return []
    item = ex._value(items, owner=owner, field=field, request=request, depth=depth + 1)
    return [item] * max(1, schema.get("minItems", 1))


def _object(
    ex: Examples, schema: Schema, owner: str, _field: str, request: bool, depth: int
) -> dict[str, Any]:
    return ex.object(schema, owner, request, depth)


def _anything(*_: Any) -> Any:
    return None


_MAKERS: dict[str, Callable[..., Any]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
    "null": _anything,
}
