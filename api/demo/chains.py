"""The demo county's people on both lines (双线控辍, 四包), with some gaps left for the report.

Township cadres cover three villages each (包村), two village cadres share each village's
groups (包组), every school has its principal (包校) and every class its head teacher
(班主任). A few of each are left without anyone, as in a real county handing out a year's
assignments, so that the gap report has something to find. The units the five demo accounts
cover (``demo_units``) are theirs, given by the loader.

Pure and deterministic, like the generator: rows for ``user`` (without a password hash, which
the loader computes once), ``user_scope`` and ``assignment``.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from api.demo import places
from api.demo.generator import DemoData, Row
from api.demo.people import NamePicker
from api.models.vocabulary import AreaLevel, AssignmentKind, SchoolKind, Sex, UserRole

TABLES = ("user", "user_scope", "assignment")
GAP_SHARE = 0.04  # of villages, groups, schools and classes, besides the last of each


@dataclass(frozen=True)
class DemoUnits:
    """What the five demo accounts cover: a township, its first village and group, the
    township's first school and that school's first class."""

    county: Row
    township: Row
    village: Row
    group: Row
    school: Row
    school_class: Row


def demo_units(data: DemoData) -> DemoUnits:
    areas = data.rows["area"]
    township = next(a for a in areas if a["level"] is AreaLevel.TOWNSHIP)
    village = next(a for a in areas if a["parent_code"] == township["code"])
    group = next(a for a in areas if a["parent_code"] == village["code"])
    school = next(
        s
        for s in data.rows["school"]
        if s["area_code"] == township["code"] and s["kind"] is not SchoolKind.SPECIAL_EDUCATION
    )
    school_class = next(c for c in data.rows["school_class"] if c["school_id"] == school["id"])
    return DemoUnits(areas[0], township, village, group, school, school_class)


def people(data: DemoData) -> dict[str, list[Row]]:
    return _Staff(data).run()


class _Staff:
    def __init__(self, data: DemoData) -> None:
        # Its own generator, so the registry's rows stay as they were for the same seed.
        self.rng = random.Random(f"{data.county_code}/{data.reference_date}/staff")
        self.names = NamePicker(self.rng)
        self.data = data
        self.now = data.rows["area"][0]["created_at"]
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        self.taken = demo_units(data)
        # The county's last village, group, school and class: always a gap, at any scale.
        last = [
            [a for a in data.rows["area"] if a["level"] is level][-1]
            for level in (AreaLevel.VILLAGE, AreaLevel.GROUP)
        ]
        last += [data.rows["school"][-1], data.rows["school_class"][-1]]
        self.last = {id(unit) for unit in last}

    def run(self) -> dict[str, list[Row]]:
        areas = self.data.rows["area"]
        children_of: dict[str, list[Row]] = {}
        for area in areas:
            children_of.setdefault(area["parent_code"] or "", []).append(area)
        townships = [a for a in areas if a["level"] is AreaLevel.TOWNSHIP]
        for township in townships:
            villages = children_of.get(township["code"], [])
            for start in range(0, len(villages), 3):
                lead = self.user(UserRole.TOWNSHIP_OFFICER, f"t{township['code']}-{start // 3 + 1}")
                self.scope(lead, area_code=township["code"])
                for village in villages[start : start + 3]:
                    if village is not self.taken.village and self.covered(village):
                        self.assign(AssignmentKind.VILLAGE, lead, area_code=village["code"])
            for village in villages:
                self.village_cadres(village, children_of.get(village["code"], []))
        schools = self.data.rows["school"]
        for school in schools:
            if school is not self.taken.school and self.covered(school):
                principal = self.user(UserRole.PRINCIPAL, f"p{school['code']}")
                self.scope(principal, school_id=school["id"])
                self.assign(AssignmentKind.SCHOOL, principal, school_id=school["id"])
        classes = self.data.rows["school_class"]
        codes = {school["id"]: school["code"] for school in schools}
        for school_class in classes:
            if school_class is self.taken.school_class or not self.covered(school_class):
                continue
            grade, number = school_class["grade"], school_class["number"]
            name = f"c{codes[school_class['school_id']]}-{grade}-{number}"
            teacher = self.user(UserRole.TEACHER, name)
            self.scope(teacher, class_id=school_class["id"])
            self.assign(AssignmentKind.CLASS, teacher, class_id=school_class["id"])
        return self.rows

    def village_cadres(self, village: Row, groups: list[Row]) -> None:
        cadres = [self.user(UserRole.VILLAGE_CADRE, f"v{village['code']}-{n}") for n in (1, 2)]
        for cadre in cadres:
            self.scope(cadre, area_code=village["code"])
        for index, group in enumerate(groups):
            if group is not self.taken.group and self.covered(group):
                self.assign(AssignmentKind.GROUP, cadres[index % 2], area_code=group["code"])

    def covered(self, unit: Row) -> bool:
        """Most units have someone; the county's last of each kind, and a few more, nobody."""
        return id(unit) not in self.last and self.rng.random() >= GAP_SHARE

    def user(self, role: UserRole, username: str) -> Row:
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        return self.add(
            "user",
            username=username,
            display_name=self.names.full(sex, adult=True),
            phone=self.rng.choice(places.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}",
            role=role,
            is_active=True,
            must_change_password=False,
            failed_login_count=0,
            locked_until=None,
            last_login_at=None,
            api_scopes=None,
            previous_password_hash=None,
            previous_password_expires_at=None,
            rate_limit_per_minute=None,
            token_generation=0,
            version=1,
        )

    def scope(self, user: Row, **target: Any) -> None:
        blank = {"area_code": None, "school_id": None, "class_id": None}
        self.rows["user_scope"].append(
            {"id": self.uuid(), "user_id": user["id"], **blank, **target}
        )

    def assign(self, kind: AssignmentKind, user: Row, **target: Any) -> None:
        since = self.data.reference_date - timedelta(days=self.rng.randrange(20, 400))
        blank = {"area_code": None, "school_id": None, "class_id": None, "child_id": None}
        self.add(
            "assignment",
            kind=kind,
            user_id=user["id"],
            **{**blank, **target},
            valid_from=since,
            valid_to=None,
            assigned_by_id=None,
        )

    def add(self, table: str, **values: Any) -> Row:
        row = {"id": self.uuid(), "created_at": self.now, "updated_at": self.now, **values}
        self.rows[table].append(row)
        return row

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)
