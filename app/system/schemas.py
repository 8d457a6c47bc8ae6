from typing import Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok"]
    base: Literal["ok"]
    migrations: str  # the schema's Alembic revision, the scripts' head
    geographie: Literal["ok"]
