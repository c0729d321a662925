"""Logging in: passwords with lockout and per-address throttling, client credentials, and
changing passwords under the policy. Every attempt, good or bad, goes to the audit log."""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, User
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, UserRole
from api.observability import current_client_ip
from api.services.access import tokens
from api.services.access.passwords import hash_password, needs_rehash, verify_password
from api.services.core import audit
from api.services.core.errors import (
    AccountDisabled,
    AccountLocked,
    Forbidden,
    InvalidInput,
    RateLimited,
    Unauthenticated,
)
from api.settings import Settings

# Verifying against this when the username is unknown keeps both paths equally slow.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
_WRONG = "The username or password is wrong."
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str | None
    must_change_password: bool = False
    scope: str | None = None


async def _throttle(*, session: AsyncSession, settings: Settings) -> None:
    ip = current_client_ip()
    if ip is None:
        return
    since = utcnow() - timedelta(minutes=settings.lockout_minutes)
    failures = (
        await session.exec(
            select(func.count()).where(
                AuditEvent.client_ip == ip,
                AuditEvent.action == AuditAction.LOGIN_FAILED,
                col(AuditEvent.occurred_at) >= since,
            )
        )
    ).one()
    if failures >= settings.ip_failure_limit:
        raise RateLimited(
            "Too many failed logins from this address; wait and try again.",
            retry_after=settings.lockout_minutes * 60,
        )


async def _fail(*, session: AsyncSession, username: str, detail: str) -> None:
    audit.record(
        session=session, action=AuditAction.LOGIN_FAILED, username=username[:60], detail=detail
    )
    await session.commit()


async def _verified_user(
    *, session: AsyncSession, settings: Settings, username: str, password: str, client: bool
) -> User:
    await _throttle(session=session, settings=settings)
    now = utcnow()
    user = (await session.exec(select(User).where(User.username == username))).first()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        await _fail(session=session, username=username, detail="account locked")
        raise AccountLocked(
            "Too many wrong passwords: the account is locked for a while.",
            locked_until=user.locked_until.isoformat(),
        )
    if user is None:
        verify_password(_DUMMY_HASH, password)
        await _fail(session=session, username=username, detail="unknown username")
        raise Unauthenticated(_WRONG)
    is_client = user.role is UserRole.INTEGRATION_CLIENT
    matched = _matched(user, password, now=now)
    if matched is None or not user.is_active or is_client != client:
        user.failed_login_count += 1
        if user.failed_login_count >= settings.lockout_failures:
            user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
            user.failed_login_count = 0
        session.add(user)
        await _fail(session=session, username=username, detail="wrong credentials or disabled")
        raise Unauthenticated(_WRONG)
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if matched == "current" and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    audit.record(
        session=session,
        action=AuditAction.LOGIN_SUCCEEDED,
        username=user.username,
        object_type="user",
        object_id=user.id,
        # Who still uses a rotated-out secret is what the administrator waits on.
        detail="the previous secret, in its grace period" if matched == "previous" else None,
    )
    return user


def _matched(user: User, password: str, *, now: datetime) -> str | None:
    """Which of the account's secrets this is: its password, or for an integration client
    also the secret a rotation replaced, while its grace period lasts."""
    if verify_password(user.password_hash, password):
        return "current"
    previous, until = user.previous_password_hash, user.previous_password_expires_at
    if previous and until is not None and until > now and verify_password(previous, password):
        return "previous"
    return None


async def login(
    *, session: AsyncSession, settings: Settings, username: str, password: str
) -> Tokens:
    """The OAuth2 password grant for people."""
    user = await _verified_user(
        session=session, settings=settings, username=username, password=password, client=False
    )
    access, lifetime = tokens.issue_access(
        settings=settings, user_id=user.id, role=user.role, generation=user.token_generation
    )
    refresh = await tokens.issue_refresh(
        session=session, settings=settings, user_id=user.id, family_id=None
    )
    await session.commit()
    return Tokens(access, lifetime, refresh, must_change_password=user.must_change_password)


async def client_login(
    *, session: AsyncSession, settings: Settings, client_id: str, secret: str, scope: str
) -> Tokens:
    """The OAuth2 client-credentials grant for integration clients; no refresh token."""
    user = await _verified_user(
        session=session, settings=settings, username=client_id, password=secret, client=True
    )
    granted = frozenset((user.api_scopes or "").split())
    asked = frozenset(scope.split()) or granted
    if not asked <= granted:
        await session.rollback()
        raise Forbidden("Scopes not granted to this client: " + " ".join(sorted(asked - granted)))
    access, lifetime = tokens.issue_access(
        settings=settings,
        user_id=user.id,
        role=user.role,
        generation=user.token_generation,
        scopes=asked,
    )
    await session.commit()
    return Tokens(access, lifetime, None, scope=" ".join(sorted(asked)))


async def refresh(*, session: AsyncSession, settings: Settings, refresh_token: str) -> Tokens:
    user_id, new_refresh = await tokens.rotate(
        session=session, settings=settings, token=refresh_token
    )
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        await session.rollback()
        raise AccountDisabled("The account is disabled.")
    access, lifetime = tokens.issue_access(
        settings=settings, user_id=user.id, role=user.role, generation=user.token_generation
    )
    await session.commit()
    return Tokens(access, lifetime, new_refresh, must_change_password=user.must_change_password)


async def logout(*, session: AsyncSession, user_id: uuid.UUID, refresh_token: str) -> None:
    row = await tokens.family_of(session=session, token=refresh_token)
    if row is not None and row.user_id == user_id:
        await tokens.revoke_family(session=session, family_id=row.family_id, reason="logout")
    user = await session.get(User, user_id)
    audit.record(
        session=session,
        action=AuditAction.LOGOUT,
        username=user.username if user else None,
        object_type="user",
        object_id=user_id,
    )
    await session.commit()


def policy_problems(password: str, username: str) -> list[str]:
    """The password policy, in words a cadre understands."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            f"密码至少{MIN_PASSWORD_LENGTH}位 (at least {MIN_PASSWORD_LENGTH} characters)"
        )
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append("密码须同时包含字母和数字 (must contain both letters and digits)")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名 (must not contain the username)")
    if len(set(password)) < 4:
        problems.append("密码过于简单 (too simple)")
    return problems


async def change_password(
    *, session: AsyncSession, user_id: uuid.UUID, current: str, new: str
) -> None:
    user = await session.get(User, user_id)
    if user is None:
        raise Unauthenticated("The account no longer exists.")
    if not verify_password(user.password_hash, current):
        raise InvalidInput("current_password", "当前密码不正确 (the current password is wrong)")
    if problems := policy_problems(new, user.username):
        raise InvalidInput("new_password", "; ".join(problems))
    if verify_password(user.password_hash, new):
        raise InvalidInput(
            "new_password", "新密码不能与当前密码相同 (must differ from the current one)"
        )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.version += 1
    session.add(user)
    audit.record(
        session=session,
        action=AuditAction.PASSWORD_CHANGED,
        username=user.username,
        object_type="user",
        object_id=user.id,
        changes={"password": {"before": "***", "after": "***"}},
    )
    await session.commit()
