"""The values the API accepts at its edge, declared once and used by every schema and path or query parameter.

- Text: no control character (NUL, escape... tab and line breaks aside) and no lone surrogate: the database
  could not store them, a person could not read them.
- Identifiers, versions, offsets: integers within the database's 32-bit columns.
- Dates: ISO strings (`AAAA-MM-JJ`) only, never a number, between `DATE_MIN` and `DATE_HORIZON_YEARS` years
  from today (a measure lasts at most 20 years, article 441 of the Code civil; anything later is a typing error).
"""

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1
DATE_MIN = date(1900, 1, 1)
DATE_HORIZON_YEARS = 30

# C0 controls but tab and line breaks, DEL and C1 controls, lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rule for clients and fuzzers, in the JSON schema's regular expression dialect.
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


def _printable(value: str) -> str:
    found = _FORBIDDEN.search(value)
    if found:
        raise PydanticCustomError(
            "caractere_interdit",
            "caractère interdit ({code}) : retirez les caractères de contrôle",
            {"code": f"U+{ord(found.group()):04X}"},
        )
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_type", "date attendue au format AAAA-MM-JJ")
    return value


def date_max(today: date | None = None) -> date:
    today = today or date.today()
    return today.replace(year=today.year + DATE_HORIZON_YEARS, day=28 if today.month == 2 else today.day)


def plausible_date(value: date) -> date:
    """Refuse dates outside [DATE_MIN, today + DATE_HORIZON_YEARS] (0001-01-01, 9999-12-31 are typing errors)."""
    if value < DATE_MIN or value > date_max():
        raise PydanticCustomError(
            "date_hors_limites",
            "date invraisemblable : entre le {min} et le {max}",
            {"min": DATE_MIN.strftime("%d/%m/%Y"), "max": date_max().strftime("%d/%m/%Y")},
        )
    return value


Texte = Annotated[str, AfterValidator(_printable), Field(json_schema_extra={"pattern": TEXT_PATTERN})]
DateISO = Annotated[
    date,
    BeforeValidator(_iso_date),
    AfterValidator(plausible_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "AAAA-MM-JJ, entre 1900 et +30 ans"}),
]
Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
Version = Annotated[int, Field(ge=0, le=INT32_MAX, description="Version lue (409 si elle a changé depuis)")]
IdPath = Annotated[int, Path(ge=1, le=INT32_MAX)]
Offset = Annotated[int, Query(ge=0, le=INT32_MAX, description="Rang du premier résultat")]
