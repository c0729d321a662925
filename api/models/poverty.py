import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from api.models.base import AreaCodeType, UTCDateTime, byte_ordered, str_enum
from api.models.household_import import ImportRecord
from api.models.vocabulary import PovertyKind


class PovertyList(ImportRecord, table=True):
    """脱贫户/监测户/低保户名单: the households and members the rural-revitalisation office
    lists for an area, as uploaded. The newest for an area is the one reconciliation compares
    dropouts with; older ones stay readable, marked with when they were replaced."""

    __tablename__ = "poverty_list"

    area_code: str = Field(sa_type=AreaCodeType, foreign_key="area.code", index=True)
    replaced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    households: int = 0
    members: int = 0


class PovertyMember(SQLModel, table=True):
    """One person of a listed household, as the list has them."""

    __tablename__ = "poverty_member"

    list_id: uuid.UUID = Field(foreign_key="poverty_list.id", primary_key=True)
    row: int = Field(primary_key=True)
    household_number: str = Field(max_length=40)  # the office's own household number
    kind: PovertyKind = Field(sa_type=str_enum(PovertyKind))
    area_code: str | None = Field(default=None, sa_type=AreaCodeType)
    head_name: str = Field(max_length=50)
    name: str = Field(max_length=50)
    name_pinyin: str = Field(sa_type=byte_ordered(200))
    id_number: str | None = Field(default=None, max_length=18, index=True)
    birth_date: date | None = None
    relation: str | None = Field(default=None, max_length=20)
