import re

import pytest

from api.settings import DEFAULT_DATABASE_URL, ROOT, Settings


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


@pytest.mark.parametrize(
    ("weights", "named"),
    [
        ({"BAOXUE_ASSESSMENT_WEIGHT_RETURNS": "-5"}, "assessment_weight_returns"),
        ({"BAOXUE_ASSESSMENT_WEIGHT_COVERAGE": "inf"}, "assessment_weight_coverage"),
        (
            {
                "BAOXUE_ASSESSMENT_WEIGHT_COVERAGE": "0",
                "BAOXUE_ASSESSMENT_WEIGHT_DEADLINES": "0",
                "BAOXUE_ASSESSMENT_WEIGHT_RETURNS": "0",
                "BAOXUE_ASSESSMENT_WEIGHT_STABLE_RETURNS": "0",
            },
            "all 0",
        ),
    ],
)
def test_assessment_weights_are_refused_when_negative_or_all_zero(
    weights: dict[str, str], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in weights.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=named):
        Settings()


def test_assessment_weights_are_read_as_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOXUE_ASSESSMENT_WEIGHT_COVERAGE", "40")
    monkeypatch.setenv("BAOXUE_ASSESSMENT_WEIGHT_STABLE_RETURNS", "0")
    assert Settings().assessment_weights() == {
        "coverage": 40, "deadlines": 25, "returns": 25, "stable_returns": 0,
    }  # fmt: skip


def test_the_statistics_refresh_is_read_under_its_new_and_its_published_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOXUE_STATS_REFRESH_SECONDS", "60")
    assert Settings(_env_file=None).statistics_refresh_seconds == 60
    monkeypatch.setenv("BAOXUE_STATISTICS_REFRESH_SECONDS", "30")
    assert Settings(_env_file=None).statistics_refresh_seconds == 30
    assert Settings(statistics_refresh_seconds=0).statistics_refresh_seconds == 0


def test_the_readme_names_every_setting() -> None:
    """The README's configuration table is how an operator learns what can be set: each
    setting's variable is in it (a row may name several: `BAOXUE_LOCKOUT_FAILURES` /
    `_MINUTES`, the second ending the first's stem)."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration") :]
    table = section[section.index("| variable |") :].split("\n\n", 1)[0]
    named: set[str] = set()
    for row in table.splitlines()[2:]:
        names = re.findall(r"`(BAOXUE_\w+|_\w+|DATABASE_URL)`", row.split("|")[1])
        first, *others = names
        named.add(first)
        for other in others:  # the suffix ends the stem where its words end it
            words = first.split("_")
            for replaced in {1, other.count("_")}:
                named.add("_".join(words[:-replaced]) + other)
    expected = {
        field.validation_alias
        if isinstance(field.validation_alias, str)
        else f"BAOXUE_{name.upper()}"
        for name, field in Settings.model_fields.items()
    }
    assert expected - named == set()
