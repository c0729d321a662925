"""A whole county's reconciliation (人籍一致) on the county demo: its ~60,000 school-age
children against the term's ~60,000 registrations, with a poverty household list made from
the demo's poverty-registered households.

- ``reconciliation_children`` / ``reconciliation_registrations``: the sizes compared;
- ``reconciliation_run``: ``POST /reconciliations`` for the county until the run is complete,
  the registrations linked to children as their roster uploads left them (an upload links
  its rows); the run links what is left, then makes the three comparisons;
- ``reconciliation_run_unlinked``: the same run with every registration unlinked first, so
  that it matches all 60,000 again (by ID number, then name, birth date and guardian): the
  worst case, a county whose rosters came in by some other road;
- ``reconciliation_floor``: one hand-written SQL statement finding the ID-matched
  discrepancies (children with no registration by ID number, registrations with no child,
  the same ID number under another name or birth date), and ``reconciliation_ratio``: the
  run over it;
- ``reconciliation_discrepancies``: how many the run found.

``python -m bench.reconciliation`` runs these against the database DATABASE_URL names, which
must hold the county demo (``make bench`` makes one). It changes the links and adds runs.
"""

import asyncio
import time
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from api.app import create_app
from api.models import Area, Child, Enrolment, Household, PovertyList, PovertyMember, User
from api.models.vocabulary import AreaLevel, ImportStatus, PovertyKind
from api.services.core import school_age
from api.services.rosters.discrepancy_finding import NOT_EXEMPT, ON_ROSTER
from api.settings import Settings
from bench.figures import emit, machine_speed
from bench.registry import login


async def _county(engine: AsyncEngine) -> tuple[str, str]:
    async with engine.connect() as connection:
        county = (
            await connection.execute(
                sa.select(col(Area.code)).where(col(Area.level) == AreaLevel.COUNTY).limit(1)
            )
        ).scalar_one()
        term = (await connection.execute(sa.select(sa.func.max(col(Enrolment.term))))).scalar_one()
    return str(county), str(term)


async def _poverty_list(engine: AsyncEngine, county: str) -> None:
    """The rural-revitalisation office's list: the poverty-registered households' children."""
    async with engine.begin() as connection:
        clerk = (await connection.execute(sa.select(col(User.id), col(User.username)))).first()
        assert clerk is not None
        listed = PovertyList(area_code=county, created_by_id=clerk[0],
                             created_by_username=clerk[1], file_name="脱贫户名单.xlsx",
                             sha256="0" * 64, status=ImportStatus.STORED)  # fmt: skip
        await connection.execute(sa.insert(PovertyList).values(**listed.model_dump()))
        number = sa.func.row_number().over(order_by=col(Child.id))
        await connection.execute(
            sa.insert(PovertyMember).from_select(
                [
                    "list_id",
                    "row",
                    "household_number",
                    "kind",
                    "area_code",
                    "head_name",
                    "name",
                    "name_pinyin",
                    "id_number",
                    "birth_date",
                ],
                sa.select(
                    sa.literal(listed.id, sa.Uuid()),
                    number + 1,
                    sa.func.substr(sa.cast(col(Household.id), sa.String), 1, 12),
                    sa.literal(PovertyKind.LIFTED.value),
                    col(Household.area_code),
                    col(Household.head_name),
                    col(Child.name),
                    col(Child.name_pinyin),
                    col(Child.id_number),
                    col(Child.birth_date),
                )
                .join(Household, col(Household.id) == col(Child.household_id))
                .where(col(Household.is_poverty_registered)),
            )
        )


async def _unlink(engine: AsyncEngine, term: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(Enrolment)
            .where(col(Enrolment.term) == term)
            .values(child_id=None, match_score=None, match_reason=None)
        )


async def _floor(engine: AsyncEngine, county: str, term: str, settings: Settings) -> int:
    """The ID-matched discrepancies in one statement: a full join on the ID number."""
    born_from, born_to = school_age.births_of_school_year(int(term[:4]), settings)
    statuses = ", ".join(f"'{s.value}'" for s in NOT_EXEMPT)
    on_roster = ", ".join(f"'{s.value}'" for s in ON_ROSTER)
    # A full outer join said as its two halves: SQLite runs FULL JOIN without its indexes.
    children = f"""
        c.removed_at IS NULL AND c.area_code >= :county AND c.area_code < :after
        AND c.birth_date BETWEEN :born_from AND :born_to
        AND c.schooling_status IN ({statuses})"""
    registered = f"e.term = :term AND e.status IN ({on_roster})"
    statement = sa.text(
        f"""
        SELECT c.id, e.id FROM child AS c
        LEFT JOIN enrolment AS e ON e.id_number = c.id_number AND {registered}
        WHERE {children}
          AND (e.id IS NULL OR c.name <> e.name OR c.birth_date <> e.birth_date)
        UNION ALL
        SELECT NULL, e.id FROM enrolment AS e
        WHERE {registered} AND e.id_number IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM child AS c WHERE c.id_number = e.id_number AND {children})
        """  # noqa: S608 - the interpolated values are the enums' own
    )
    async with engine.connect() as connection:
        rows = await connection.execute(
            statement,
            {
                "county": county,
                "after": county[:-1] + chr(ord(county[-1]) + 1),
                "term": term,
                "born_from": born_from,
                "born_to": born_to,
            },
        )
        return len(rows.all())


async def _run(client: httpx.AsyncClient, headers: dict[str, str], county: str) -> dict[str, Any]:
    started = await client.post(
        "/api/v1/reconciliations", json={"area_code": county}, headers=headers
    )
    started.raise_for_status()
    done = await client.get(f"/api/v1/reconciliations/{started.json()['id']}", headers=headers)
    answer: dict[str, Any] = done.json()
    assert answer["status"] == "completed", answer
    return answer


async def reconciliation_figures(database_url: str) -> None:
    settings = Settings(database_url=database_url, log_level="WARNING")
    app = create_app(settings)
    engine: AsyncEngine = app.state.engine
    county, term = await _county(engine)
    await _poverty_list(engine, county)
    async with engine.connect() as connection:
        children = (
            await connection.execute(sa.select(sa.func.count()).select_from(Child))
        ).scalar()
        registrations = (
            await connection.execute(
                sa.select(sa.func.count())
                .select_from(Enrolment)
                .where(col(Enrolment.term) == term, col(Enrolment.status).in_(ON_ROSTER))
            )
        ).scalar()
    emit("reconciliation_children", float(children or 0), "children")
    emit("reconciliation_registrations", float(registrations or 0), "rows")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        headers = {"Authorization": f"Bearer {await login(client, 'demo.county')}"}
        started = time.perf_counter()
        first = await _run(client, headers, county)
        whole = time.perf_counter() - started
        await _unlink(engine, term)
        started = time.perf_counter()
        await _run(client, headers, county)
        unlinked = time.perf_counter() - started
    started = time.perf_counter()
    floor_rows = await _floor(engine, county, term, settings)
    floor = time.perf_counter() - started
    await engine.dispose()
    emit("reconciliation_run", whole, "s")
    emit("reconciliation_run_unlinked", unlinked, "s")
    emit("reconciliation_floor", floor, "s")
    emit("reconciliation_ratio", whole / floor, "x")
    emit("reconciliation_discrepancies", float(sum(first["counts"].values())), "found")
    emit("reconciliation_floor_rows", float(floor_rows), "rows")


if __name__ == "__main__":
    import os

    machine_speed()
    asyncio.run(reconciliation_figures(os.environ["DATABASE_URL"]))
