"""Access tokens (short-lived JWTs) and refresh tokens (opaque, rotating, stored hashed)."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jose import JWTError, jwt
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import RefreshToken
from api.models.base import utcnow
from api.models.vocabulary import AuditAction
from api.services.core import audit
from api.services.core.errors import SessionRevoked, Unauthenticated
from api.settings import Settings

# One algorithm, pinned: a token naming any other (or "none") is refused before its signature
# is even looked at, which also closes the RS/HS key-confusion hole.
ALGORITHM = "HS256"
ISSUER = "baoxue"
AUDIENCE = "baoxue-api"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    scopes: frozenset[str]
    generation: int


def issue_access(
    *,
    settings: Settings,
    user_id: uuid.UUID,
    role: str,
    generation: int,
    scopes: frozenset[str] = frozenset(),
) -> tuple[str, int]:
    now = utcnow()
    lifetime = settings.access_token_minutes * 60
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "role": role,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "gen": generation,
    }
    if scopes:
        claims["scope"] = " ".join(sorted(scopes))
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM), lifetime


def verify_access(*, settings: Settings, token: str) -> AccessClaims:
    try:
        if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
            raise Unauthenticated("The token is signed with an algorithm that is not accepted.")
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require_exp": True, "require_iat": True, "require_sub": True},
        )
        if claims.get("typ") != "access":
            raise Unauthenticated("This is not an access token.")
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            scopes=frozenset(claims.get("scope", "").split()),
            generation=int(claims.get("gen", 0)),
        )
    except (JWTError, ValueError, KeyError) as exc:
        raise Unauthenticated("The token is invalid or has expired.") from exc


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_refresh(
    *, session: AsyncSession, settings: Settings, user_id: uuid.UUID, family_id: uuid.UUID | None
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id or uuid.uuid4(),
            token_hash=_digest(token),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    return token


async def rotate(*, session: AsyncSession, settings: Settings, token: str) -> tuple[uuid.UUID, str]:
    """Spend a refresh token for a new one of the same family; a spent one revokes the family.

    The spend is a conditional UPDATE, so two concurrent presentations of one token cannot both
    succeed: the loser is treated as the reuse it is. A token of a revoked family (a logout,
    an administrator's reset, a reuse) is SessionRevoked, on which a phone wipes what it holds;
    an unknown or merely expired one is plain Unauthenticated: log in again.
    """
    now = utcnow()
    row = (
        await session.exec(select(RefreshToken).where(RefreshToken.token_hash == _digest(token)))
    ).first()
    if row is None:
        raise Unauthenticated("The refresh token is invalid.")
    if row.revoked_at is not None:
        raise SessionRevoked(
            "The session of this refresh token was ended (logged out, reset or reused)."
        )
    if row.expires_at <= now:
        raise Unauthenticated("The refresh token has expired; log in again.")
    spent = await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.id) == row.id, col(RefreshToken.used_at).is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        await revoke_family(session=session, family_id=row.family_id, reason="reuse", now=now)
        audit.record(
            session=session,
            action=AuditAction.TOKEN_REUSED,
            object_type="user",
            object_id=row.user_id,
            detail="a spent refresh token was presented again; its family is revoked",
        )
        await session.commit()
        raise SessionRevoked("The refresh token was already used; every session of it is revoked.")
    new = await issue_refresh(
        session=session, settings=settings, user_id=row.user_id, family_id=row.family_id
    )
    return row.user_id, new


async def revoke_family(
    *, session: AsyncSession, family_id: uuid.UUID, reason: str, now: datetime | None = None
) -> None:
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now or utcnow(), revoked_reason=reason)
    )


async def revoke_user(*, session: AsyncSession, user_id: uuid.UUID, reason: str) -> None:
    """End every session of a user (disabled, or password reset by an administrator)."""
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def family_of(*, session: AsyncSession, token: str) -> RefreshToken | None:
    return (
        await session.exec(select(RefreshToken).where(RefreshToken.token_hash == _digest(token)))
    ).first()
