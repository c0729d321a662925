"""Photos taken at a household visit by an offline phone: uploaded under the id the phone made
(a resend stores nothing more), named by the visit, and seen by whoever may read the household."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Attachment, Child, Visit
from api.models.vocabulary import UserRole
from api.schemas.visits import VisitIn
from api.services.core import attachments
from api.services.core.actors import Actor
from api.services.core.errors import Conflict
from api.settings import Settings
from tests import world as w

UPLOAD = "/api/v1/attachments"
BATCH = "/api/v1/visits/batch"
JPEG = b"\xff\xd8\xff\xe0" + bytes(60) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    built = await w.build(session, settings)
    # Registered a while ago: the visits of the tests come after.
    await session.exec(
        update(Child).values(status_changed_at=datetime.now(UTC) - timedelta(days=10))
    )
    await session.commit()
    return built


def visit(household: uuid.UUID, *photos: Any, hours_ago: float = 1) -> dict[str, Any]:
    visited = datetime.now(UTC) - timedelta(hours=hours_ago)
    return {"id": str(uuid.uuid4()), "household_id": str(household),
            "visited_at": visited.isoformat(), "outcome": "nobody_home",
            "note": "门上贴了联系卡", "attachment_ids": [str(p) for p in photos]}  # fmt: skip


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    photo_id: Any = None,
    data: bytes = JPEG,
) -> httpx.Response:
    form = {} if photo_id is None else {"id": str(photo_id)}
    files = {"file": ("IMG_0001.jpg", data, "image/jpeg")}
    return await client.post(UPLOAD, data=form, files=files, headers=headers)


async def count(session: AsyncSession, model: Any) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


def files_in(settings: Settings) -> int:
    folder = Path(settings.data_dir) / "attachments"
    return sum(p.is_file() for p in folder.rglob("*")) if folder.exists() else 0


async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)


async def test_a_photo_sent_again_under_the_phones_id_is_stored_once(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    headers = await cadre(client, session, world)
    photo = uuid.uuid4()
    files_before = files_in(settings)
    first = await upload(client, headers, photo)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == str(photo)
    assert first.headers["location"] == f"{UPLOAD}/{photo}"
    assert "idempotent-replayed" not in first.headers
    # The app was killed before it read the answer: it sends the same photo again.
    again = await upload(client, headers, photo)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await count(session, Attachment) == 1
    assert files_in(settings) == files_before + 1
    read = await client.get(f"{UPLOAD}/{photo}", headers=headers)
    assert (read.status_code, read.content) == (200, JPEG)

    # The same id from someone else, or with another file, is refused naming the id.
    other = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    for who, data in ((other, JPEG), (headers, PNG)):
        taken = await upload(client, who, photo, data)
        assert taken.status_code == 409, taken.text
        assert taken.json()["errors"][0]["loc"] == ["body", "id"]
    assert (await client.get(f"{UPLOAD}/{photo}", headers=headers)).content == JPEG

    # Bad input is named and stores nothing; the id stays free for the good upload.
    not_an_id = await upload(client, headers, "not-a-uuid")
    assert not_an_id.status_code == 422
    assert not_an_id.json()["errors"][0]["loc"] == ["body", "id"]
    fresh = uuid.uuid4()
    not_a_photo = await upload(client, headers, fresh, b"GIF89a" + bytes(32))
    assert not_a_photo.status_code == 422
    assert not_a_photo.json()["errors"][0]["loc"] == ["body", "file"]
    empty = await upload(client, headers, fresh, b"")
    assert empty.status_code == 422
    too_large = JPEG[:4] + bytes(settings.attachment_max_bytes)
    over = await upload(client, headers, fresh, too_large)
    assert over.status_code == 413
    assert over.json()["errors"][0]["loc"] == ["body", "file"]
    assert await count(session, Attachment) == 1
    assert files_in(settings) == files_before + 1
    assert (await upload(client, headers, fresh)).status_code == 201
    # Without an id, as before: each upload its own attachment.
    assert (await upload(client, headers)).json()["id"] != (await upload(client, headers)).json()[
        "id"
    ]
    assert await count(session, Attachment) == 4


async def test_a_visit_names_its_photos_and_the_households_readers_see_them(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    headers = await cadre(client, session, world)
    photos = [uuid.uuid4(), uuid.uuid4()]
    for photo in photos:
        assert (await upload(client, headers, photo)).status_code == 201
    household = world.households["dong_a"]
    batch = {"visits": [visit(household, *photos)]}
    sent = await client.post(BATCH, json=batch, headers=headers)
    assert sent.status_code == 200, sent.text
    assert [v["result"] for v in sent.json()["visits"]] == ["created"]
    visit_id = batch["visits"][0]["id"]

    listed = f"/api/v1/households/{household}/visits"
    township = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    read = await client.get(listed, headers=township)
    assert read.status_code == 200, read.text
    (only,) = read.json()["items"]
    assert only["id"] == visit_id
    assert sorted(only["attachment_ids"]) == sorted(str(p) for p in photos)
    assert (only["outcome"], only["note"]) == ("nobody_home", "门上贴了联系卡")
    assert only["observations"] == []

    # Sent again (the answer was lost): a duplicate, nothing stored twice.
    again = await client.post(BATCH, json=batch, headers=headers)
    assert [v["result"] for v in again.json()["visits"]] == ["duplicate"]
    assert await count(session, Visit) == 1
    assert (await client.get(listed, headers=township)).json()["total"] == 1
    # The same id with other photos is another visit under a reused id.
    other = await upload(client, headers, uuid.uuid4())
    changed = {**batch["visits"][0], "attachment_ids": [other.json()["id"]]}
    conflict = await client.post(BATCH, json={"visits": [changed]}, headers=headers)
    assert conflict.json()["visits"][0]["result"] == "conflict"
    owned = await session.get(Attachment, uuid.UUID(other.json()["id"]))
    assert owned is not None
    assert owned.owner_id is None

    # The uploader and whoever may read the household download the photo; others get a 404.
    url = f"{UPLOAD}/{photos[0]}"
    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    for reader in (headers, township, teacher):
        download = await client.get(url, headers=reader)
        assert (download.status_code, download.content) == (200, JPEG)
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    neighbour = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.NAN)
    for outsider in (west, neighbour):
        hidden = await client.get(url, headers=outsider)
        assert hidden.status_code == 404
        assert str(household) not in hidden.text
        assert (await client.get(listed, headers=outsider)).status_code == 404


async def test_a_visit_naming_a_photo_not_its_own_is_invalid_and_the_others_are_stored(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    settings: Settings,
    statements: list[str],
) -> None:
    headers = await cadre(client, session, world)
    other = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    mine = [uuid.uuid4() for _ in range(4)]
    for photo in mine:
        assert (await upload(client, headers, photo)).status_code == 201
    theirs = uuid.uuid4()
    assert (await upload(client, other, theirs)).status_code == 201
    dong_a, dong_b = world.households["dong_a"], world.households["dong_b"]
    batch = {"visits": [
        visit(dong_a, mine[0], hours_ago=3),
        visit(dong_b, mine[1], uuid.uuid4()),  # never uploaded
        visit(dong_b, theirs),  # another cadre's
        visit(dong_a, mine[2], mine[0], hours_ago=2),  # the first visit's photo
        visit(dong_b, mine[3], hours_ago=1),
        {**visit(dong_a), "attachment_ids": [str(mine[3])] * 2},
        {**visit(dong_a), "attachment_ids": [str(uuid.uuid4()) for _ in range(6)]},
    ]}  # fmt: skip
    statements.clear()
    answer = await client.post(BATCH, json=batch, headers=headers)
    assert answer.status_code == 200, answer.text
    results = answer.json()["visits"]
    assert [r["result"] for r in results] == [
        "created", "invalid", "invalid", "invalid", "created", "invalid", "invalid"
    ]  # fmt: skip
    assert [e["loc"] for e in results[1]["errors"]] == [["attachment_ids", 1]]
    assert "no such attachment uploaded by you" in results[1]["errors"][0]["msg"]
    assert [e["loc"] for e in results[2]["errors"]] == [["attachment_ids", 0]]
    assert "another record" in results[3]["errors"][0]["msg"]
    assert [e["loc"] for e in results[3]["errors"]] == [["attachment_ids", 1]]
    assert [e["loc"] for e in results[5]["errors"]] == [["attachment_ids"]]
    assert [e["loc"] for e in results[6]["errors"]] == [["attachment_ids"]]
    # Checked set-based: the batch's photos looked up once and linked in one statement.
    touching = [s for s in statements if "attachment" in s.lower()]
    assert 0 < len(touching) <= 3, touching

    # Nothing of the invalid items is stored: no visit, no photo linked to it.
    stored = set((await session.exec(select(Visit.id))).all())
    assert stored == {uuid.UUID(batch["visits"][i]["id"]) for i in (0, 4)}
    owners = dict((await session.exec(select(Attachment.id, Attachment.owner_id))).all())
    assert owners[mine[0]] == uuid.UUID(batch["visits"][0]["id"])
    assert owners[mine[3]] == uuid.UUID(batch["visits"][4]["id"])
    assert owners[mine[1]] is None
    assert owners[mine[2]] is None
    assert owners[theirs] is None

    # The fixed item goes through on the next send; the stored ones are duplicates.
    batch["visits"][3]["attachment_ids"] = [str(mine[2])]
    resent = await client.post(BATCH, json=batch, headers=headers)
    assert [r["result"] for r in resent.json()["visits"]][:5] == [
        "duplicate", "invalid", "invalid", "created", "duplicate"
    ]  # fmt: skip
    listed = await client.get(f"/api/v1/households/{dong_a}/visits", headers=headers)
    assert [v["attachment_ids"] for v in listed.json()["items"]] == [
        [str(mine[2])],
        [str(mine[0])],
    ]


async def test_a_visit_stored_before_photos_were_named_is_still_a_duplicate(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    """A phone's queue sent before this field existed hashes the same when sent again."""
    headers = await cadre(client, session, world)
    item = visit(world.households["dong_a"])
    del item["attachment_ids"]
    first = await client.post(BATCH, json={"visits": [item]}, headers=headers)
    assert first.json()["visits"][0]["result"] == "created"
    stored = await session.get(Visit, uuid.UUID(item["id"]))
    assert stored is not None
    before = VisitIn.model_validate(item).model_dump_json(exclude={"attachment_ids"})
    assert stored.content_sha256 == hashlib.sha256(before.encode()).hexdigest()
    for resent in (item, {**item, "attachment_ids": []}):
        again = await client.post(BATCH, json={"visits": [resent]}, headers=headers)
        assert again.json()["visits"][0]["result"] == "duplicate"


async def test_two_uploads_of_one_id_at_once_store_one_attachment_and_one_file(
    session: AsyncSession, world: w.World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loser of the race finds the winner's row at its commit and answers it."""
    login = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    actor = Actor(user_id=login.user_id, username=login.username, role=UserRole.VILLAGE_CADRE)
    photo = uuid.uuid4()

    async def store(data: bytes) -> attachments.Upload:
        return await attachments.store(
            session=session,
            actor=actor,
            settings=settings,
            file_name="a.jpg",
            data=data,
            attachment_id=photo,
        )

    winner = await store(JPEG)
    files_before = files_in(settings)
    real_get = AsyncSession.get

    async def not_yet_there(self: AsyncSession, model: Any, ident: Any, **kw: Any) -> Any:
        monkeypatch.setattr(AsyncSession, "get", real_get)  # only the first look misses it
        return None

    for data, answer in ((JPEG, "replayed"), (PNG, "conflict")):
        session.expunge_all()
        monkeypatch.setattr(AsyncSession, "get", not_yet_there)
        if answer == "replayed":
            loser = await store(data)
            assert (loser.replayed, loser.attachment.id) == (True, winner.attachment.id)
        else:
            with pytest.raises(Conflict):
                await store(data)
        assert files_in(settings) == files_before  # the loser's file is gone
    assert await count(session, Attachment) == 1
