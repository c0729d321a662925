from sqlmodel import Field

from api.models.base import SoftRemoved, Timestamped, UUIDKeyed, Versioned, area_code_field


class Household(UUIDKeyed, Timestamped, Versioned, SoftRemoved, table=True):
    """户: a family at an address in a village group."""

    area_code: str = area_code_field()  # the group, or the village where groups are not kept
    address: str = Field(max_length=200)
    head_name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    is_poverty_registered: bool = False  # 建档立卡户 / 脱贫户
    is_minimum_living: bool = False  # 低保户
    note: str | None = Field(default=None, max_length=500)
