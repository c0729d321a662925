from pydantic import Field

from api.schemas.imports import ImportOut


class HouseholdImportOut(ImportOut):
    """What an import of households and children did, and the faults of the rows it refused."""

    households_created: int
    households_matched: int = Field(description="registered households the rows belong to")
    children_created: int
    children_unchanged: int = Field(description="rows of children registered already")
    guardians_created: int
