"""免学/缓学/休学: certificates on disk, applications, decisions by township or county."""

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import SchoolingStatusChange
from api.models.vocabulary import UserRole
from api.settings import Settings
from tests import world as w

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str
) -> httpx.Response:
    return await client.post("/api/v1/attachments", files={"file": (name, data)}, headers=headers)


def application(certificate_id: str, **overrides: str) -> dict[str, str]:
    return {"requested_status": "suspended", "cause": "serious_illness", "applicant_name": "张大山",
            "applicant_phone": "13812340001", "reason": "白血病住院治疗",
            "certificate_id": certificate_id, **overrides}  # fmt: skip


async def test_an_approved_application_changes_the_status_with_its_evidence(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    uploaded = await upload(client, cadre, PDF, "../../诊断证明.pdf")
    assert uploaded.status_code == 201, uploaded.text
    certificate = uploaded.json()
    assert certificate["content_type"] == "application/pdf"
    assert certificate["file_name"] == "诊断证明.pdf"  # no path from a phone reaches the disk
    stored = list((settings.data_dir / "attachments").rglob("*"))
    assert any(p.is_file() and p.read_bytes() == PDF for p in stored)
    url = f"/api/v1/children/{world.children['dong_a']}/status-applications"
    submitted = await client.post(url, json=application(certificate["id"]), headers=cadre)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["state"] == "pending"
    again = await client.post(url, json=application(certificate["id"]), headers=cadre)
    assert again.status_code == 409

    decision = f"/api/v1/status-applications/{submitted.json()['id']}/decision"
    by_cadre = await client.post(decision, json={"approve": True}, headers=cadre)
    assert by_cadre.status_code == 403  # a village cadre does not approve
    officer = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    waiting = (await client.get("/api/v1/status-applications", headers=officer)).json()
    assert [a["id"] for a in waiting["items"]] == [submitted.json()["id"]]
    approved = await client.post(
        decision, json={"approve": True, "note": "同意休学一学期"}, headers=officer
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    child = (
        await client.get(f"/api/v1/children/{world.children['dong_a']}", headers=officer)
    ).json()
    assert child["schooling_status"] == "suspended"
    [change] = (
        await session.exec(
            select(SchoolingStatusChange).where(
                col(SchoolingStatusChange.child_id) == world.children["dong_a"]
            )
        )
    ).all()
    assert change.evidence is not None
    assert certificate["id"] in change.evidence
    assert (
        await client.post(decision, json={"approve": False}, headers=officer)
    ).status_code == 409

    read = await client.get(f"/api/v1/attachments/{certificate['id']}", headers=officer)
    assert read.status_code == 200
    assert read.content == PDF
    assert read.headers["content-type"] == "application/pdf"
    west = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    assert (
        await client.get(f"/api/v1/attachments/{certificate['id']}", headers=west)
    ).status_code == 404
    elsewhere = await client.post(decision, json={"approve": True}, headers=west)
    assert elsewhere.status_code == 404


async def test_a_refusal_leaves_the_status_and_bad_applications_are_named(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    photo = (await upload(client, cadre, PNG, "证明.png")).json()
    url = f"/api/v1/children/{world.children['dong_b']}/status-applications"
    for body, field in (
        (application(photo["id"], requested_status="dropped_out"), "requested_status"),
        (application(photo["id"], cause="laziness"), "cause"),
        (application(photo["id"], applicant_phone="123"), "applicant_phone"),
        (application("00000000-0000-4000-8000-000000000000"), "certificate_id"),
    ):
        response = await client.post(url, json=body, headers=cadre)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    submitted = await client.post(url, json=application(photo["id"]), headers=cadre)
    assert submitted.status_code == 201
    reused = await client.post(
        f"/api/v1/children/{world.children['dong_a']}/status-applications",
        json=application(photo["id"]), headers=cadre,
    )  # fmt: skip
    assert reused.status_code == 422  # a certificate proves one application
    admin = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    refused = await client.post(
        f"/api/v1/status-applications/{submitted.json()['id']}/decision",
        json={"approve": False, "note": "证明不足"}, headers=admin,
    )  # fmt: skip
    assert refused.json()["state"] == "refused"
    child = (await client.get(f"/api/v1/children/{world.children['dong_b']}", headers=admin)).json()
    assert child["schooling_status"] == "enrolled_in_county"
    history = await client.get(url, headers=admin)
    assert [a["state"] for a in history.json()] == ["refused"]


async def test_uploads_are_checked_by_their_bytes_and_size(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    disguised = await upload(client, cadre, b"MZ\x90\x00 not a picture", "photo.jpg")
    assert disguised.status_code == 422
    assert disguised.json()["errors"][0]["loc"] == ["body", "file"]
    empty = await upload(client, cadre, b"", "empty.pdf")
    assert empty.status_code == 422
    huge = await upload(client, cadre, b"%PDF-" + bytes(settings.attachment_max_bytes), "big.pdf")
    assert huge.status_code == 413
    assert huge.headers["content-type"] == "application/problem+json"
