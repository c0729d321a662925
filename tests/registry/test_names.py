import pytest

from api.services.registry import names


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("李绿", "lilv", "ll"),
        ("单雄信", "shanxiongxin", "sxx"),  # 单 as a surname is shàn
        ("曾小明", "zengxiaoming", "zxm"),  # 曾 as a surname is zēng
        ("尉迟恭", "yuchigong", "ycg"),  # compound surname
        ("长孙无忌", "zhangsunwuji", "zswj"),
        (" 王 芳 ", "wangfang", "wf"),
    ],
)
def test_pinyin_and_initials(name: str, pinyin: str, initials: str) -> None:
    assert names.pinyin(name) == pinyin
    assert names.initials(name) == initials
