"""Names as people search them: full pinyin and initials, precomputed with pypinyin."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's everyday one (单 shàn, 曾 zēng ...);
# pypinyin reads characters in context and gets these wrong at the start of a name.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "区": ("ou",),
    "乐": ("yue",),
    "缪": ("miao",),
    "覃": ("qin",),
    "盖": ("ge",),
    "翟": ("zhai",),
    "种": ("chong",),
    "秘": ("bi",),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
}
# Longest first, so that a compound surname wins over its first character.
_SURNAMES = sorted(_SURNAME_READINGS, key=len, reverse=True)


@lru_cache(maxsize=65_536)  # names repeat a great deal, and pypinyin takes ~0.1 ms a name
def syllables(name: str) -> tuple[str, ...]:
    name = name.strip()
    for surname in _SURNAMES:
        if name.startswith(surname):
            rest = lazy_pinyin(name[len(surname) :], style=Style.NORMAL, errors="ignore")
            return (*_SURNAME_READINGS[surname], *rest)
    return tuple(lazy_pinyin(name, style=Style.NORMAL, errors="ignore"))


def pinyin(name: str) -> str:
    """ "张三" → "zhangsan"."""
    return "".join(syllables(name)).lower()


def initials(name: str) -> str:
    """ "张三" → "zs"."""
    return "".join(syllable[0] for syllable in syllables(name) if syllable).lower()
