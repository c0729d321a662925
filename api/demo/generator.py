"""A deterministic demo county: the same seed and reference date always give the same rows.

The generator is pure (no database): it returns plain rows per table, which the loader writes
set-based. Everything random comes from one ``random.Random`` and one seeded Faker, and every
UUID is drawn from the same generator, so that tests can compare two runs row for row.
"""

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from api.demo import places
from api.demo.people import NamePicker
from api.models.vocabulary import (
    AreaLevel,
    DisabilityPlacement,
    EnrolmentStatus,
    GuardianRelation,
    SchoolingStatus,
    SchoolKind,
    Sex,
    StatusSource,
)
from api.services.core import school_age
from api.services.registry import id_number, names
from api.settings import Settings

Row = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    townships: int
    villages_per_township: int
    groups_per_village: int
    households: int


SCALES = {
    "small": Scale(townships=3, villages_per_township=3, groups_per_village=3, households=240),
    "county": Scale(
        townships=25, villages_per_township=12, groups_per_village=5, households=50_000
    ),
}

# Shares of school-age children by schooling status: mostly at school, a realistic few not.
STATUS_WEIGHTS: tuple[tuple[SchoolingStatus, float], ...] = (
    (SchoolingStatus.ENROLLED_IN_COUNTY, 0.9405),
    (SchoolingStatus.ENROLLED_OUTSIDE_COUNTY, 0.03),
    (SchoolingStatus.DROPPED_OUT, 0.012),
    (SchoolingStatus.NEVER_ENROLLED, 0.002),
    (SchoolingStatus.SUSPENDED, 0.004),
    (SchoolingStatus.DEFERRED, 0.001),
    (SchoolingStatus.HOME_DELIVERED, 0.003),
    (SchoolingStatus.EXEMPT, 0.0005),
    (SchoolingStatus.WHEREABOUTS_UNKNOWN, 0.003),
    (SchoolingStatus.DECEASED, 0.0005),
    (SchoolingStatus.EMIGRATED, 0.0025),
)
CHILDREN_PER_HOUSEHOLD = ((0, 0.24), (1, 0.40), (2, 0.27), (3, 0.09))
ON_ROSTER = (
    SchoolingStatus.ENROLLED_IN_COUNTY,
    SchoolingStatus.SUSPENDED,
    SchoolingStatus.HOME_DELIVERED,  # 送教上门 pupils keep their registration
)
CLASS_SIZE = 45
# Roster faults for reconciliation to find: shares of enrolments.
NAME_TYPO_SHARE = 0.004
BIRTH_DATE_FAULT_SHARE = 0.002
DOUBLE_ROSTER_SHARE = 0.002
ROSTER_ONLY_SHARE = 0.002
DROPOUT_STILL_ON_ROSTER_SHARE = 0.6

TABLE_ORDER = (
    "area",
    "school",
    "school_class",
    "household",
    "guardian",
    "child",
    "guardianship",
    "enrolment",
    "schooling_status_change",
)


@dataclass
class DemoData:
    county_code: str
    term: str
    reference_date: date
    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLE_ORDER})

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}


@dataclass
class _Township:
    code: str
    name: str
    villages: list[Row]
    primary: Row
    junior: Row


def generate(
    *, scale: str, seed: int, reference_date: date, settings: Settings | None = None
) -> DemoData:
    return _Generator(SCALES[scale], seed, reference_date, settings or Settings()).run()


class _Generator:
    def __init__(self, scale: Scale, seed: int, reference_date: date, settings: Settings) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.names = NamePicker(self.rng)
        self.settings = settings
        self.today = reference_date
        self.now = datetime.combine(reference_date, time(2, 0), tzinfo=UTC)
        self.school_year = school_age.school_year_of(reference_date, settings)
        self.data = DemoData(
            county_code=places.COUNTY_CODE,
            term=school_age.term_of(reference_date, settings),
            reference_date=reference_date,
        )
        self.id_sequences: dict[tuple[str, date], int] = defaultdict(int)
        self.school_seq = 0
        self.pupils: dict[uuid.UUID, list[tuple[Row, int]]] = defaultdict(list)
        self.special_school: Row | None = None

    # -- helpers -------------------------------------------------------------------------
    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def stamp(self, row: Row) -> Row:
        row.setdefault("created_at", self.now)
        row.setdefault("updated_at", self.now)
        return row

    def add(self, table: str, **values: Any) -> Row:
        row = self.stamp(values)
        self.data.rows[table].append(row)
        return row

    def phone(self) -> str:
        return self.rng.choice(places.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def weighted(self, choices: tuple[tuple[T, float], ...]) -> T:
        values = [value for value, _ in choices]
        weights = [weight for _, weight in choices]
        return self.rng.choices(values, weights)[0]

    def make_id_number(self, area_code: str, birth_date: date, sex: Sex) -> str:
        # The sequence's parity is the sex; keep numbers unique per area and birth date.
        key = (area_code, birth_date)
        sequence = self.id_sequences[key] * 2 + (1 if sex is Sex.MALE else 0)
        self.id_sequences[key] += 1
        if sequence > 999:
            raise RuntimeError("ID sequence exhausted for one area and birth date")
        return id_number.make(area_code=area_code, birth_date=birth_date, sequence=sequence)

    # -- areas and schools ---------------------------------------------------------------
    def run(self) -> DemoData:
        county = places.COUNTY_CODE
        self.add(
            "area", code=county, name=places.COUNTY_NAME, level=AreaLevel.COUNTY, parent_code=None
        )
        stems = self.rng.sample(places.TOWNSHIP_STEMS, self.scale.townships)
        townships = [self.township(county, index, stem) for index, stem in enumerate(stems)]
        self.special_school = self.school(
            townships[0].code,
            f"{places.COUNTY_NAME}特殊教育学校",
            SchoolKind.SPECIAL_EDUCATION,
            1,
            9,
        )
        groups = [g for t in townships for v in t.villages for g in v["groups"]]
        for index in range(self.scale.households):
            group = groups[index % len(groups)]
            self.household(group, townships[group["township_index"]])
        self.enrol_all()
        self.roster_faults()
        for village in (v for t in townships for v in t.villages):
            village.pop("groups")
        return self.data

    def township(self, county: str, index: int, stem: str) -> _Township:
        code = f"{county}{100 + index:03d}"
        name = stem + ("镇" if index % 4 else "乡")
        self.add("area", code=code, name=name, level=AreaLevel.TOWNSHIP, parent_code=county)
        villages = []
        village_names = self.rng.sample(
            [a + b for a in places.VILLAGE_FIRST for b in places.VILLAGE_SECOND],
            self.scale.villages_per_township,
        )
        for v_index, village_name in enumerate(village_names):
            v_code = f"{code}{200 + v_index:03d}"
            self.add(
                "area",
                code=v_code,
                name=village_name + "村",
                level=AreaLevel.VILLAGE,
                parent_code=code,
            )
            village: Row = {
                "code": v_code,
                "name": village_name + "村",
                "groups": [],
                "teaching_point": None,
            }
            for g_index in range(self.scale.groups_per_village):
                g_code = f"{v_code}{g_index + 1:03d}"
                g_name = f"{places.GROUP_NUMERALS[g_index % 10]}组"
                self.add(
                    "area", code=g_code, name=g_name, level=AreaLevel.GROUP, parent_code=v_code
                )
                village["groups"].append(
                    {
                        "code": g_code,
                        "name": g_name,
                        "village": village,
                        "township_index": index,
                        "next_door": 1,
                    }
                )
            if v_index % 4 == 3:
                village["teaching_point"] = self.school(
                    v_code, f"{name}{village_name}村教学点", SchoolKind.TEACHING_POINT, 1, 3
                )
            villages.append(village)
        if index % 3 == 2:
            nine_year = self.school(code, f"{name}九年一贯制学校", SchoolKind.NINE_YEAR, 1, 9)
            primary = junior = nine_year
        else:
            primary = self.school(code, f"{name}中心小学", SchoolKind.PRIMARY, 1, 6)
            junior = self.school(code, f"{name}初级中学", SchoolKind.JUNIOR_MIDDLE, 7, 9)
        return _Township(code, name, villages, primary, junior)

    def school(self, area_code: str, name: str, kind: SchoolKind, first: int, last: int) -> Row:
        self.school_seq += 1
        return self.add(
            "school",
            id=self.uuid(),
            code=f"2{places.COUNTY_CODE[:2]}{self.school_seq:07d}",
            name=name,
            kind=kind,
            area_code=area_code,
            address=name,
            phone=f"0839-{self.rng.randrange(10**7):07d}",
            grade_from=first,
            grade_to=last,
            version=1,
        )

    # -- households, guardians, children -------------------------------------------------
    def household(self, group: Row, township: _Township) -> None:
        surname = self.names.surname()
        left_behind = self.weighted(((0, 0.62), (1, 0.23), (2, 0.15)))
        poverty = self.rng.random() < 0.08
        number = group["next_door"]
        group["next_door"] += 1
        address = f"{township.name}{group['village']['name']}{group['name']}{number}号"
        father_name = surname + self.names.given(Sex.MALE, adult=True)
        household = self.add(
            "household",
            id=self.uuid(),
            area_code=group["code"],
            address=address,
            head_name=father_name,
            phone=self.phone(),
            is_poverty_registered=poverty,
            is_minimum_living=(poverty and self.rng.random() < 0.4) or self.rng.random() < 0.01,
            version=1,
        )
        orphaned = self.rng.random() < 0.003
        carers = self.guardians(household, surname, father_name, left_behind, orphaned)
        for _ in range(self.weighted(CHILDREN_PER_HOUSEHOLD)):
            child = self.child(household, surname, left_behind, orphaned)
            for guardian, relation, primary in carers:
                self.add(
                    "guardianship",
                    child_id=child["id"],
                    guardian_id=guardian["id"],
                    relation=relation,
                    lives_with_child=not guardian["works_away"],
                    is_primary=primary,
                )

    def guardians(
        self, household: Row, surname: str, father_name: str, left_behind: int, orphaned: bool
    ) -> list[tuple[Row, GuardianRelation, bool]]:
        def guardian(name: str, away: bool) -> Row:
            return self.add(
                "guardian",
                id=self.uuid(),
                household_id=household["id"],
                name=name,
                phone=self.phone(),
                id_number=None,
                works_away=away,
                work_place=self.rng.choice(places.WORK_PLACES) if away else None,
                version=1,
            )

        if orphaned:
            carer = guardian(self.names.full(Sex.FEMALE, adult=True), False)
            return [(carer, GuardianRelation.GRANDMOTHER, True)]
        father = guardian(father_name, left_behind >= 1)
        mother = guardian(self.names.full(Sex.FEMALE, adult=True), left_behind == 2)
        carers = [
            (father, GuardianRelation.FATHER, left_behind == 0),
            (mother, GuardianRelation.MOTHER, left_behind == 1),
        ]
        if left_behind == 2:
            grandparent = guardian(surname + self.names.given(Sex.MALE, adult=True), False)
            carers.append((grandparent, GuardianRelation.GRANDFATHER, True))
        return carers

    def child(self, household: Row, surname: str, left_behind: int, orphaned: bool) -> Row:
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        name = surname + self.names.given(sex)
        grade = self.rng.randint(1, 9) if self.rng.random() > 0.02 else 10
        first, last = school_age.birth_dates_for_grade(grade, self.school_year, self.settings)
        birth_date = first + timedelta(days=self.rng.randrange((last - first).days + 1))
        migrant = self.rng.random() < 0.02
        birth_area = self.rng.choice(places.OTHER_COUNTY_CODES) if migrant else places.COUNTY_CODE
        has_id = self.rng.random() > 0.03
        status = self.status(grade)
        disabled = status is SchoolingStatus.HOME_DELIVERED or self.rng.random() < 0.008
        placement = None
        if disabled:
            placement = (
                DisabilityPlacement.HOME_DELIVERED
                if status is SchoolingStatus.HOME_DELIVERED
                else self.rng.choice(
                    (
                        DisabilityPlacement.SPECIAL_SCHOOL,
                        DisabilityPlacement.REGULAR_CLASS,
                        DisabilityPlacement.SPECIAL_CLASS,
                    )
                )
            )
        changed_at = self.now - timedelta(days=self.rng.randrange(1, 400))
        child = self.add(
            "child",
            id=self.uuid(),
            household_id=household["id"],
            area_code=household["area_code"],
            name=name,
            name_pinyin=names.pinyin(name),
            name_initials=names.initials(name),
            sex=sex,
            birth_date=birth_date,
            id_number=self.make_id_number(birth_area, birth_date, sex) if has_id else None,
            registered_address=household["address"] if not migrant else None,
            left_behind=0 if orphaned else left_behind,
            disability_kind=self.rng.choice(places.DISABILITY_KINDS) if disabled else None,
            disability_grade=self.rng.randint(1, 4) if disabled else None,
            placement=placement,
            is_orphan=orphaned,
            is_unattended=not orphaned and left_behind == 2 and self.rng.random() < 0.02,
            is_in_hardship=orphaned or (household["is_minimum_living"] and self.rng.random() < 0.3),
            is_migrant=migrant,
            is_in_legal_case=False,
            schooling_status=status,
            status_changed_at=changed_at,
            version=1,
        )
        self.add(
            "schooling_status_change",
            id=self.uuid(),
            child_id=child["id"],
            from_status=None,
            to_status=status,
            source=StatusSource.DEMO,
            reason="示范数据初始状态",
            evidence=None,
            changed_by_id=None,
            changed_at=changed_at,
        )
        child["_grade"] = grade
        return child

    def status(self, grade: int) -> SchoolingStatus:
        if grade > 9:
            return SchoolingStatus.COMPLETED
        status = self.weighted(STATUS_WEIGHTS)
        if status is SchoolingStatus.DEFERRED and grade > 2:
            return SchoolingStatus.ENROLLED_IN_COUNTY
        return status

    # -- enrolments ----------------------------------------------------------------------
    def enrol_all(self) -> None:
        schools_by_area = self.schools_by_area()
        for child in self.data.rows["child"]:
            grade = child.pop("_grade")
            status = child["schooling_status"]
            on_roster = status in ON_ROSTER or (
                status is SchoolingStatus.DROPPED_OUT
                and self.rng.random() < DROPOUT_STILL_ON_ROSTER_SHARE  # 籍在人不在
            )
            if grade > 9 or not on_roster:
                continue
            school = self.school_for(child, grade, schools_by_area)
            enrolment_status = (
                EnrolmentStatus.SUSPENDED
                if status is SchoolingStatus.SUSPENDED
                else EnrolmentStatus.ENROLLED
            )
            self.pupils[school["id"]].append(
                (self.enrolment(child, school, grade, enrolment_status), grade)
            )
        self.assign_classes()

    def schools_by_area(self) -> dict[str, Row]:
        return {
            f"{school['area_code']}:{school['kind']}": school for school in self.data.rows["school"]
        }

    def school_for(self, child: Row, grade: int, schools: dict[str, Row]) -> Row:
        village, township = child["area_code"][:12], child["area_code"][:9]
        special = (DisabilityPlacement.SPECIAL_SCHOOL, DisabilityPlacement.HOME_DELIVERED)
        if child["placement"] in special and self.special_school:
            return self.special_school
        point = schools.get(f"{village}:{SchoolKind.TEACHING_POINT}")
        if point and grade <= 3 and self.rng.random() < 0.7:
            return point
        nine_year = schools.get(f"{township}:{SchoolKind.NINE_YEAR}")
        if nine_year:
            return nine_year
        kind = SchoolKind.PRIMARY if grade <= 6 else SchoolKind.JUNIOR_MIDDLE
        return schools[f"{township}:{kind}"]

    def enrolment(self, child: Row, school: Row, grade: int, status: EnrolmentStatus) -> Row:
        entry_year = self.school_year - grade + 1
        return self.add(
            "enrolment",
            id=self.uuid(),
            child_id=child["id"],
            school_id=school["id"],
            class_id=None,
            term=self.data.term,
            grade=grade,
            student_number=id_number.student_number(
                child["id_number"], fallback=f"{school['code']}{self.rng.randrange(10**6):06d}"
            ),
            name=child["name"],
            name_pinyin=child["name_pinyin"],
            sex=child["sex"],
            birth_date=child["birth_date"],
            id_number=child["id_number"],
            entry_date=date(entry_year, 9, 1),
            status=status,
        )

    def assign_classes(self) -> None:
        for school in self.data.rows["school"]:
            by_grade: dict[int, list[Row]] = defaultdict(list)
            for enrolment, grade in self.pupils.get(school["id"], []):
                by_grade[grade].append(enrolment)
            for grade in range(school["grade_from"], school["grade_to"] + 1):
                pupils = by_grade.get(grade, [])
                classes = [
                    self.add(
                        "school_class",
                        id=self.uuid(),
                        school_id=school["id"],
                        school_year=self.school_year,
                        grade=grade,
                        number=number,
                        name=f"{places.GRADE_NAMES[grade - 1]}年级({number})班",
                    )
                    for number in range(1, max(1, math.ceil(len(pupils) / CLASS_SIZE)) + 1)
                ]
                for index, enrolment in enumerate(pupils):
                    enrolment["class_id"] = classes[index % len(classes)]["id"]

    def roster_faults(self) -> None:
        """Registration records that disagree with the population side, as real rosters do."""
        enrolments = list(self.data.rows["enrolment"])
        schools = self.data.rows["school"]
        for enrolment in enrolments:
            roll = self.rng.random()
            if roll < NAME_TYPO_SHARE:
                enrolment["name"] = self.homophone(enrolment["name"])
                enrolment["name_pinyin"] = names.pinyin(enrolment["name"])
            elif roll < NAME_TYPO_SHARE + BIRTH_DATE_FAULT_SHARE and enrolment["id_number"]:
                enrolment["birth_date"] += timedelta(days=self.rng.choice((-31, -1, 1, 365)))
            elif roll < NAME_TYPO_SHARE + BIRTH_DATE_FAULT_SHARE + DOUBLE_ROSTER_SHARE:
                other = self.rng.choice(
                    [
                        s
                        for s in schools
                        if s["id"] != enrolment["school_id"]
                        and s["grade_from"] <= enrolment["grade"] <= s["grade_to"]
                    ]
                )
                self.add(
                    "enrolment",
                    **{**enrolment, "id": self.uuid(), "school_id": other["id"], "class_id": None},
                )
        for _ in range(max(1, int(len(enrolments) * ROSTER_ONLY_SHARE))):
            self.roster_only(self.rng.choice(enrolments))

    def roster_only(self, like: Row) -> None:
        """A pupil on a roster whom no household sweep knows."""
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        name = self.names.full(sex)
        number = self.make_id_number(places.COUNTY_CODE, like["birth_date"], sex)
        self.add(
            "enrolment",
            **{
                **like,
                "id": self.uuid(),
                "child_id": None,
                "name": name,
                "name_pinyin": names.pinyin(name),
                "sex": sex,
                "id_number": number,
                "student_number": id_number.student_number(number, fallback=""),
            },
        )

    def homophone(self, name: str) -> str:
        """The name with its last replaceable character swapped for one that sounds the same."""
        for index in range(len(name) - 1, 0, -1):
            if name[index] in places.HOMOPHONES:
                return name[:index] + places.HOMOPHONES[name[index]] + name[index + 1 :]
        return name
