"""Deciding what a household spreadsheet adds, row by row, with the clerk's rules.

First each row alone (``parse``): the same rules as registering one household and one child
(child_rules for the birth date, the ID number against it and the sex, disability; the
schema's formats for the rest). Then the rows together and against what is registered
(``decide``): an ID number twice in the file, an ID number already registered, the same child
twice, a household or guardian described differently on two rows.

A household is a group of rows with the same area code, address and head's name; it is
matched to a registered household with the same three, so that importing a file again adds no
household. Each row stands on its own: a bad row is refused with its faults, and its
household's other rows are kept if they are good. A household is created only when one of its
rows adds a child. A household already registered is not changed by the file.

Pure: the registered records come in as ``Known``, the rows to insert go out as ``Plan``.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from api.models.vocabulary import GuardianRelation, SchoolingStatus, Sex
from api.services.core.errors import Fault
from api.services.registry import child_rules, id_number, names
from api.services.spreadsheets import import_rows
from api.services.spreadsheets.import_rows import REQUIRED_VALUE, Cell, Sheet

HouseholdKey = tuple[str, str, str]  # area code, address, head's name


@dataclass(slots=True)
class Parsed:
    """One row's values, each None when blank or wrong (and then its fault is listed)."""

    row: int
    cells: list[Cell]
    faults: list[Fault] = field(default_factory=list)
    area_code: str | None = None
    address: str | None = None
    head_name: str | None = None
    household: dict[str, Any] = field(default_factory=dict)  # phone and flags given
    name: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    id_number: str | None = None  # as stored: normalised
    child: dict[str, Any] = field(default_factory=dict)  # the optional fields of a child
    guardian_name: str | None = None
    guardian_relation: GuardianRelation | None = None
    guardian_phone: str | None = None

    @property
    def household_key(self) -> HouseholdKey | None:
        if self.area_code and self.address and self.head_name:
            return self.area_code, self.address, self.head_name
        return None


_HOUSEHOLD_FLAGS = ("is_poverty_registered", "is_minimum_living")
_CHILD_FLAGS = ("is_orphan", "is_unattended", "is_in_hardship", "is_migrant", "is_in_legal_case")


_text50 = partial(import_rows.bounded, longest=50)
_text200 = partial(import_rows.bounded, longest=200)


@dataclass(frozen=True)
class _Field:
    key: str
    convert: Callable[[Cell], Any]
    required: bool = False
    blank: Any = None  # the value of a blank cell


_FIELDS = (
    _Field("area_code", import_rows.area_code, required=True),
    _Field("address", _text200, required=True),
    _Field("head_name", _text50, required=True),
    _Field("phone", import_rows.mobile),
    *(_Field(flag, import_rows.flag) for flag in _HOUSEHOLD_FLAGS),
    _Field("name", _text50, required=True),
    _Field("sex", import_rows.sex, required=True),
    _Field("birth_date", import_rows.day, required=True),
    _Field("id_number", import_rows.id_number_text, blank=""),
    _Field("registered_address", _text200),
    _Field("left_behind", import_rows.left_behind, blank=0),
    _Field("disability_kind", import_rows.disability_kind),
    _Field("disability_grade", import_rows.disability_grade),
    _Field("placement", import_rows.placement),
    *(_Field(flag, import_rows.flag, blank=False) for flag in _CHILD_FLAGS),
    _Field("guardian_name", _text50),
    _Field("guardian_relation", import_rows.relation),
    _Field("guardian_phone", import_rows.mobile),
)


def parse(sheet: Sheet, *, today: date) -> list[Parsed]:
    width = len(sheet.header)
    # A column the file lacks reads the blank cell padded on at ``width``.
    where = [(column, sheet.columns.get(column.key, width)) for column in _FIELDS]
    return [_parse_row(sheet, where, number, cells, today, width) for number, cells in sheet.rows]


def _parse_row(
    sheet: Sheet,
    where: list[tuple[_Field, int]],
    number: int,
    cells: list[Cell],
    today: date,
    width: int,
) -> Parsed:
    padded = [*cells[:width], *[""] * (width + 1 - min(len(cells), width))]
    faults: list[Fault] = []
    values: dict[str, Any] = {}
    for column, index in where:
        cell = padded[index]
        # Most optional cells are blank: answered without a converter, a county's file reads
        # in half the time.
        if cell == "" or (isinstance(cell, str) and cell.isspace()):
            if column.required:
                faults.append((column.key, REQUIRED_VALUE))
            values[column.key] = column.blank
            continue
        try:
            values[column.key] = column.convert(cell)
        except ValueError as exc:
            faults.append((column.key, str(exc)))
            values[column.key] = None
    row = Parsed(
        row=number,
        cells=cells,
        faults=faults,
        area_code=values["area_code"],
        address=values["address"],
        head_name=values["head_name"],
        household={key: values[key] for key in ("phone", *_HOUSEHOLD_FLAGS)},
        name=values["name"],
        sex=values["sex"],
        birth_date=values["birth_date"],
        child={key: values[key] for key in _CHILD_FIELDS},
        guardian_name=values["guardian_name"],
        guardian_relation=values["guardian_relation"],
        guardian_phone=values["guardian_phone"],
    )
    _child_rules(row, values["id_number"] or "", today)
    _guardian_rules(row, sheet)
    return row


_CHILD_FIELDS = (
    "registered_address",
    "left_behind",
    "disability_kind",
    "disability_grade",
    "placement",
    *_CHILD_FLAGS,
)


def _child_rules(row: Parsed, raw_number: str, today: date) -> None:
    """The rules of registering one child, as child_rules words them."""
    if row.birth_date is not None:
        row.faults += child_rules.birth_date_faults(row.birth_date, today=today)
    if raw_number and row.birth_date is not None and row.sex is not None:
        row.id_number, faults = child_rules.id_number_faults(
            raw_number, born=row.birth_date, sex=row.sex, today=today
        )
        row.faults += faults
    elif raw_number:  # the number alone, when there is no birth date or sex to compare
        try:
            row.id_number = id_number.parse(raw_number, today=today).number
        except id_number.InvalidIdNumber as exc:
            row.faults.append(("id_number", str(exc)))
    row.faults += child_rules.disability_faults(
        kind=row.child["disability_kind"],
        grade=row.child["disability_grade"],
        placement=row.child["placement"],
    )


def _guardian_rules(row: Parsed, sheet: Sheet) -> None:
    faulted = {key for key, _ in row.faults}
    named = row.guardian_name is not None or "guardian_name" in faulted
    related = row.guardian_relation is not None or "guardian_relation" in faulted
    if not named and (related or row.guardian_phone or "guardian_phone" in faulted):
        where = "guardian_name" if "guardian_name" in sheet.columns else "guardian_relation"
        row.faults.append((where, "须填写监护人姓名 (the guardian's name is needed)"))
    if named and not related:
        where = "guardian_relation" if "guardian_relation" in sheet.columns else "guardian_name"
        row.faults.append((where, "须填写与儿童关系 (the guardian's relation to the child)"))


# The rows together, against what is registered -------------------------------------------


@dataclass(frozen=True)
class KnownChild:
    name: str
    birth_date: date
    removed: bool


@dataclass
class Known:
    """What the database holds that the file's rows may match, loaded for the whole file."""

    area_faults: dict[str, list[Fault]] = field(default_factory=dict)
    households: dict[HouseholdKey, uuid.UUID] = field(default_factory=dict)
    by_number: dict[str, KnownChild] = field(default_factory=dict)
    # (household, name, birth date) -> the ID number the child is registered with, if any
    in_households: dict[tuple[uuid.UUID, str, date], str | None] = field(default_factory=dict)
    guardians: dict[tuple[uuid.UUID, str], uuid.UUID] = field(default_factory=dict)


@dataclass
class Plan:
    """The rows to insert, table by table, and what became of each row of the file."""

    households: list[dict[str, Any]] = field(default_factory=list)
    guardians: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    guardianships: list[dict[str, Any]] = field(default_factory=list)
    households_matched: int = 0
    children_unchanged: int = 0
    rejected: list[Parsed] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def decide(sheet: Sheet, rows: list[Parsed], known: Known, *, now: datetime) -> Plan:
    """The rows to insert; the children's names are spelled by ``spell`` before they go in."""
    return _Decision(sheet, known, now).run(rows)


def spell(children: list[dict[str, Any]]) -> None:
    """Each new child's name in pinyin and initials, as the registry searches them: seconds
    of CPU for a county, so the service does it while the households go in."""
    for child in children:
        child["name_pinyin"] = names.pinyin(child["name"])
        child["name_initials"] = names.initials(child["name"])


class _Decision:
    def __init__(self, sheet: Sheet, known: Known, now: datetime) -> None:
        self.sheet, self.known, self.now = sheet, known, now
        self.plan = Plan()
        self.first_number: dict[str, int] = {}
        self.first_child: dict[tuple[HouseholdKey, str, date], tuple[int, str | None]] = {}
        # What accepted rows said of each household and guardian, with the row that said it.
        self.said: dict[HouseholdKey, dict[str, tuple[Any, int]]] = {}
        self.said_guardian: dict[tuple[HouseholdKey, str], tuple[str, int]] = {}
        self.new_households: dict[HouseholdKey, uuid.UUID] = {}
        self.new_guardians: dict[tuple[HouseholdKey, str], uuid.UUID] = {}
        self.matched: set[uuid.UUID] = set()

    def run(self, rows: list[Parsed]) -> Plan:
        for row in rows:
            self.row(row)
        self.plan.households = [
            self.household(key, hid) for key, hid in self.new_households.items()
        ]
        self.plan.guardians = [self.guardian(key, gid) for key, gid in self.new_guardians.items()]
        self.plan.households_matched = len(self.matched)
        return self.plan

    def row(self, row: Parsed) -> None:
        faults = list(row.faults)
        if row.area_code is not None:
            faults += self.known.area_faults.get(row.area_code, [])
        key = row.household_key
        unchanged = False
        if key is not None:
            faults += self.disagreements(row, key)
        if row.id_number is not None:
            number_faults, unchanged = self.by_number(row, row.id_number)
            faults += number_faults
        if key is not None and row.name is not None and row.birth_date is not None:
            child_faults, same = self.by_name(row, key, row.name, row.birth_date, unchanged)
            faults += child_faults
            unchanged = unchanged or same
        if faults:
            self.reject(row, faults)
            return
        assert key is not None  # a row without its household's three fields has faults
        self.remember(row, key)
        if (household_id := self.known.households.get(key)) is not None:
            self.matched.add(household_id)
        if unchanged:
            self.plan.children_unchanged += 1
            return
        if household_id is None:
            household_id = self.new_households.setdefault(key, uuid.uuid4())
        self.add_child(row, key, household_id)

    def by_number(self, row: Parsed, number: str) -> tuple[list[Fault], bool]:
        earlier = self.first_number.setdefault(number, row.row)
        if earlier != row.row:
            return [
                ("id_number", f"与第{earlier}行的身份证号码重复 (the same as row {earlier})")
            ], False
        held = self.known.by_number.get(number)
        if held is None:
            return [], False
        if held.removed:
            return [
                ("id_number", "这个身份证号码属于一名已移除的儿童 (a removed child's number)")
            ], False
        if held.name == row.name and held.birth_date == row.birth_date:
            return [], True  # registered already: importing the file again adds nothing
        return [
            (
                "id_number",
                "已有儿童登记了这个身份证号码，姓名或出生日期不同 (a child with this ID number "
                "is already registered, with another name or birth date)",
            )
        ], False

    def by_name(
        self, row: Parsed, key: HouseholdKey, name: str, born: date, unchanged: bool
    ) -> tuple[list[Fault], bool]:
        """The same child twice in the file, or registered in the household already."""
        faults: list[Fault] = []
        earlier = self.first_child.setdefault((key, name, born), (row.row, row.id_number))
        # Two rows with different ID numbers are two children, whatever their names.
        if earlier[0] != row.row and (earlier[1] is None or row.id_number is None):
            faults.append(
                ("name", f"与第{earlier[0]}行是同一名儿童 (the same child as row {earlier[0]})")
            )
        household_id = self.known.households.get(key)
        registered = row.id_number is not None and row.id_number in self.known.by_number
        if household_id is None or unchanged or registered:
            return faults, False
        if (household_id, name, born) not in self.known.in_households:
            return faults, False
        if row.id_number is None:
            return faults, True
        faults.append(
            (
                "id_number",
                "这一户已登记同名、同出生日期的儿童，身份证号码不同或未登记 (this household has a "
                "child of this name and birth date with another or no ID number)",
            )
        )
        return faults, False

    def disagreements(self, row: Parsed, key: HouseholdKey) -> list[Fault]:
        """A household or guardian told differently on two rows: which is right is for the
        clerk to say, so the later row is refused rather than one silently dropped."""
        faults: list[Fault] = []
        said_of = self.said.get(key, {})
        for name, value in row.household.items():
            said = said_of.get(name)
            if value is not None and said is not None and said[0] != value:
                faults.append((name, f"与本户第{said[1]}行不一致 (differs from row {said[1]})"))
        if row.guardian_name and row.guardian_phone:
            said_phone = self.said_guardian.get((key, row.guardian_name))
            if said_phone is not None and said_phone[0] != row.guardian_phone:
                faults.append(
                    (
                        "guardian_phone",
                        f"与第{said_phone[1]}行同一监护人的电话不同 "
                        f"(differs from row {said_phone[1]})",
                    )
                )
        return faults

    def remember(self, row: Parsed, key: HouseholdKey) -> None:
        said = self.said.setdefault(key, {})
        for name, value in row.household.items():
            if value is not None:
                said.setdefault(name, (value, row.row))
        if row.guardian_name and row.guardian_phone:
            self.said_guardian.setdefault((key, row.guardian_name), (row.guardian_phone, row.row))

    def reject(self, row: Parsed, faults: list[Fault]) -> None:
        self.plan.rejected.append(row)
        for key, message in dict.fromkeys(faults):
            self.plan.errors.append(
                {"row": row.row, "field": self.sheet.heading(key), "message": message}
            )

    def add_child(self, row: Parsed, key: HouseholdKey, household_id: uuid.UUID) -> None:
        assert row.name is not None
        child_id = uuid.uuid4()
        self.plan.children.append(
            {
                **self.stamp(child_id),
                "household_id": household_id,
                "area_code": key[0],
                "name": row.name,
                "sex": row.sex,
                "birth_date": row.birth_date,
                "id_number": row.id_number,
                **row.child,
                "schooling_status": SchoolingStatus.UNKNOWN,
                "status_changed_at": self.now,
            }
        )
        if row.guardian_name is None:
            return
        guardian_id = self.known.guardians.get((household_id, row.guardian_name))
        if guardian_id is None:
            guardian_id = self.new_guardians.setdefault((key, row.guardian_name), uuid.uuid4())
        self.plan.guardianships.append(
            {
                "child_id": child_id,
                "guardian_id": guardian_id,
                "relation": row.guardian_relation,
                "lives_with_child": True,
                "is_primary": True,  # the one carer the ledger names
                "created_at": self.now,
                "updated_at": self.now,
            }
        )

    def stamp(self, record_id: uuid.UUID) -> dict[str, Any]:
        return {
            "id": record_id,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
            "removed_at": None,
            "removed_reason": None,
        }

    def household(self, key: HouseholdKey, household_id: uuid.UUID) -> dict[str, Any]:
        said = {name: value for name, (value, _) in self.said.get(key, {}).items()}
        return {
            **self.stamp(household_id),
            "area_code": key[0],
            "address": key[1],
            "head_name": key[2],
            "phone": said.get("phone"),
            **{flag: bool(said.get(flag)) for flag in _HOUSEHOLD_FLAGS},
            "note": None,
        }

    def guardian(self, key: tuple[HouseholdKey, str], guardian_id: uuid.UUID) -> dict[str, Any]:
        household_key, name = key
        said = self.said_guardian.get(key)
        return {
            **self.stamp(guardian_id),
            "household_id": self.new_households.get(household_key)
            or self.known.households[household_key],
            "name": name,
            "phone": said[0] if said else None,
            "id_number": None,
            "works_away": False,
            "work_place": None,
        }
