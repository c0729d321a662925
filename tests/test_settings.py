import pytest

from api.settings import DEFAULT_DATABASE_URL, Settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/baoxue", "postgresql+asyncpg://u:p@db:5432/baoxue"),
        ("postgresql://u@127.0.0.1/baoxue", "postgresql+asyncpg://u@127.0.0.1/baoxue"),
        ("postgresql+asyncpg://u@h/b", "postgresql+asyncpg://u@h/b"),
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("", DEFAULT_DATABASE_URL),
    ],
)
def test_database_urls_get_the_async_driver(
    given: str, used: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert Settings().database_url == used


def test_local_conventions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOXUE_SCHOOL_ENTRY_AGE", "3")
    with pytest.raises(ValueError, match="school_entry_age"):
        Settings()
