"""A small county to test who sees what: two townships, three villages, two schools, pupils.

    519901 测试县
    ├── 519901001 东镇 ── 519901001001 东村 (group 519901001001001), 519901001002 南村
    └── 519901002 西镇 ── 519901002001 西村
    东镇中心小学 (in 东镇): 三年级1班, 三年级2班;  西镇小学 (in 西镇): 三年级1班

Children (all in grade 3 this school year):
    dong_a: lives in 东村, class 东3-1      dong_b: lives in 东村, class 东3-2
    nan_a:  lives in 南村, class 东3-1      xi_a:   lives in 西村, class 西3-1

And next door, outside everyone's reach unless said otherwise, 519902 邻县 with 邻村, 邻县小学
and lin_a (孙小虎) in its class 邻3-1: the ids a caller from 测试县 must never get at.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Child,
    Enrolment,
    Guardian,
    Guardianship,
    Household,
    School,
    SchoolClass,
)
from api.models.vocabulary import (
    AreaLevel,
    GuardianRelation,
    SchoolingStatus,
    SchoolKind,
    Sex,
    UserRole,
)
from api.services.core import school_age
from api.services.registry import id_number, names
from api.settings import Settings
from tests.factories import Login, bearer, make_user, token_for

COUNTY, EAST, WEST = "519901", "519901001", "519901002"
DONG, NAN, XI = "519901001001", "519901001002", "519901002001"
DONG_GROUP = "519901001001001"
NEIGHBOUR, NEIGHBOUR_TOWN, NEIGHBOUR_VILLAGE = "519902", "519902001", "519902001001"


@dataclass
class World:
    school_year: int
    term: str
    schools: dict[str, uuid.UUID] = field(default_factory=dict)
    classes: dict[str, uuid.UUID] = field(default_factory=dict)
    households: dict[str, uuid.UUID] = field(default_factory=dict)
    children: dict[str, uuid.UUID] = field(default_factory=dict)
    id_numbers: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)

    async def login(self, session: AsyncSession, role: UserRole, **scope: object) -> Login:
        """A user of ``role`` bound by ``area_code=``, ``school=`` or ``klass=`` names."""
        area = scope.get("area_code")
        school = self.schools[str(scope["school"])] if "school" in scope else None
        klass = self.classes[str(scope["klass"])] if "klass" in scope else None
        return await make_user(
            session,
            role=role,
            area_code=str(area) if area else None,
            school_id=school,
            class_id=klass,
        )

    async def headers(
        self, client: httpx.AsyncClient, session: AsyncSession, role: UserRole, **scope: object
    ) -> dict[str, str]:
        """The Authorization header of a freshly logged-in user of ``role`` (see ``login``)."""
        return await _bearer(client, await self.login(session, role, **scope))


async def _bearer(client: httpx.AsyncClient, login: Login) -> dict[str, str]:
    return bearer((await token_for(client, login))["access_token"])


async def build(session: AsyncSession, settings: Settings, today: date | None = None) -> World:
    today = today or date.today()
    year = school_age.school_year_of(today, settings)
    world = World(school_year=year, term=school_age.term_of(today, settings))
    session.add_all(
        [
            Area(code=COUNTY, name="测试县", level=AreaLevel.COUNTY),
            Area(code=EAST, name="东镇", level=AreaLevel.TOWNSHIP, parent_code=COUNTY),
            Area(code=WEST, name="西镇", level=AreaLevel.TOWNSHIP, parent_code=COUNTY),
            Area(code=DONG, name="东村", level=AreaLevel.VILLAGE, parent_code=EAST),
            Area(code=NAN, name="南村", level=AreaLevel.VILLAGE, parent_code=EAST),
            Area(code=XI, name="西村", level=AreaLevel.VILLAGE, parent_code=WEST),
            Area(code=DONG_GROUP, name="东村一组", level=AreaLevel.GROUP, parent_code=DONG),
            Area(code=NEIGHBOUR, name="邻县", level=AreaLevel.COUNTY),
            Area(code=NEIGHBOUR_TOWN, name="邻镇", level=AreaLevel.TOWNSHIP, parent_code=NEIGHBOUR),
            Area(
                code=NEIGHBOUR_VILLAGE,
                name="邻村",
                level=AreaLevel.VILLAGE,
                parent_code=NEIGHBOUR_TOWN,
            ),
        ]
    )
    await session.flush()
    for key, name, area, code in (
        ("east", "东镇中心小学", EAST, "2151990101"),
        ("west", "西镇小学", WEST, "2151990201"),
        ("neighbour", "邻县小学", NEIGHBOUR_TOWN, "2151990301"),
    ):
        school = School(
            code=code,
            name=name,
            kind=SchoolKind.PRIMARY,
            area_code=area,
            grade_from=1,
            grade_to=6,
            phone="08391234567",
        )
        session.add(school)
        world.schools[key] = school.id
    await session.flush()
    for key, school_key, number in (
        ("east-3-1", "east", 1),
        ("east-3-2", "east", 2),
        ("west-3-1", "west", 1),
        ("neighbour-3-1", "neighbour", 1),
    ):
        klass = SchoolClass(
            school_id=world.schools[school_key],
            school_year=year,
            grade=3,
            number=number,
            name=f"三年级{number}班",
        )
        session.add(klass)
        world.classes[key] = klass.id
    await session.flush()
    first_birth, _ = school_age.birth_dates_for_grade(3, year, settings)
    for sequence, (key, name, area, class_key) in enumerate(
        (
            ("dong_a", "张小明", DONG_GROUP, "east-3-1"),
            ("dong_b", "李小红", DONG, "east-3-2"),
            ("nan_a", "王小刚", NAN, "east-3-1"),
            ("xi_a", "赵小丽", XI, "west-3-1"),
            ("lin_a", "孙小虎", NEIGHBOUR_VILLAGE, "neighbour-3-1"),
        ),
        start=1,
    ):
        phone = f"1381234{sequence:04d}"
        household = Household(
            area_code=area,
            address=f"{name[0]}家院子{sequence}号",
            head_name=f"{name[0]}大山",
            phone=phone,
        )
        session.add(household)
        await session.flush()
        birth = first_birth.replace(day=min(first_birth.day + sequence, 28))
        id_no = id_number.make(area_code="510821", birth_date=birth, sequence=sequence * 2 + 1)
        child = Child(
            household_id=household.id,
            area_code=area,
            name=name,
            name_pinyin=names.pinyin(name),
            name_initials=names.initials(name),
            sex=Sex.MALE,
            birth_date=birth,
            id_number=id_no,
            schooling_status=SchoolingStatus.ENROLLED_IN_COUNTY,
        )
        guardian = Guardian(household_id=household.id, name=f"{name[0]}大山", phone=phone)
        session.add_all([child, guardian])
        await session.flush()
        session.add_all(
            [
                Guardianship(
                    child_id=child.id,
                    guardian_id=guardian.id,
                    relation=GuardianRelation.FATHER,
                    is_primary=True,
                ),
                Enrolment(
                    child_id=child.id,
                    school_id=world.schools[class_key.split("-")[0]],
                    class_id=world.classes[class_key],
                    term=world.term,
                    grade=3,
                    student_number="G" + id_no,
                    name=name,
                    sex=Sex.MALE,
                    birth_date=birth,
                    id_number=id_no,
                ),
            ]
        )
        world.households[key] = household.id
        world.children[key] = child.id
        world.id_numbers[key] = id_no
        world.phones[key] = phone
    await session.commit()
    return world


async def empty_household(session: AsyncSession, area_code: str) -> uuid.UUID:
    """A household with no one in it yet, e.g. to be removed."""
    household = Household(area_code=area_code, address="空户", head_name="无名")
    session.add(household)
    await session.commit()
    return household.id
