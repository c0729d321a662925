"""Chinese personal names for the demo, drawn from a seeded random generator.

Surnames follow Faker's zh_CN frequency table; Faker's own given names are too few (a few dozen)
for a county of 60,000 children, so given names are also composed from common name characters.
"""

import random
from itertools import accumulate

from faker.providers.person.zh_CN import Provider as ChineseNames

from api.models.vocabulary import Sex

_SURNAMES = list(ChineseNames.last_names)
_SURNAME_CUMULATIVE = list(accumulate(ChineseNames.last_names.values()))
_MALE_CHARS = (
    "轩浩然宇俊杰博文昊天泽睿明辰嘉航鑫磊鹏涛成志强伟建华国军勇斌超峰亮林洋宏瑞晨皓凯铭晟煜梓"
    "子一诚康乐宁安佳豪毅诗鸿飞翔正阳"
)
_FEMALE_CHARS = (
    "欣怡梓涵雨萱诗琪思佳悦可馨婷雅静丽芳敏娟霞燕玲梦瑶语彤欢月琳雪慧颖晓蕾倩紫嫣依若妍梅兰"
    "玉春秀晶露菲"
)


class NamePicker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def surname(self) -> str:
        return self.rng.choices(_SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]

    def given(self, sex: Sex, *, adult: bool = False) -> str:
        if self.rng.random() < (0.5 if adult else 0.25):
            pool = (
                ChineseNames.first_names_male
                if sex is Sex.MALE
                else ChineseNames.first_names_female
            )
            return self.rng.choice(pool)
        chars = _MALE_CHARS if sex is Sex.MALE else _FEMALE_CHARS
        length = 1 if self.rng.random() < (0.4 if adult else 0.2) else 2
        return "".join(self.rng.choice(chars) for _ in range(length))

    def full(self, sex: Sex, *, adult: bool = False) -> str:
        return self.surname() + self.given(sex, adult=adult)
