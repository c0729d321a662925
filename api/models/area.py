from sqlmodel import Field

from api.models.base import AreaCodeType, Timestamped, str_enum
from api.models.vocabulary import AreaLevel


class Area(Timestamped, table=True):
    """行政区划 by official statistical code; a subtree is every code with the same prefix."""

    code: str = Field(primary_key=True, sa_type=AreaCodeType)
    name: str = Field(max_length=60)
    level: AreaLevel = Field(sa_type=str_enum(AreaLevel), index=True)
    parent_code: str | None = Field(
        default=None, sa_type=AreaCodeType, foreign_key="area.code", index=True
    )
