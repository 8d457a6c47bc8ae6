"""The checks of e-MJPM's vendor API (`editors-rules.js`), rule for rule, with its answers: each failed check is
`{"location": "body", "msg": <e-MJPM's message>, "param": <path>, "value": <as sent>}` (no `value` when the field
is missing), in the order e-MJPM reports them (rule by rule, then element by element).

Pure code. `check_mesure` is the single measure's rules (POST and PUT), `check_batch` the batch's, which e-MJPM
writes with the same checks under `mesures.*` but whose date and champ checks read the request's top level (where
a batch has no such fields): they never fire on a batch, here as there.
"""

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from app.editors.constants import (
    CAUSES_SORTIE,
    CHAMP_REQUIRED,
    CHAMPS_MESURE,
    CIVILITES,
    LIEUX_VIE,
    NATURES_MESURE,
    RESULTATS_REVISION,
    TYPES_ETABLISSEMENT,
)
from app.geo.countries import is_country

MISSING: Any = object()
INVALID = "Invalid value"  # express-validator's message when a rule names none
DATE = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$")

Error = dict[str, Any]


def _text(value: Any) -> str:
    """How express-validator reads a value as text."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


def _is_date(value: Any) -> bool:
    match = DATE.match(_text(value))
    if not match:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def _iso(value: Any) -> date | None:
    """`parseISO(value + "T00:00:00.000Z")`: a date, or None when e-MJPM's comparison would be with an invalid
    date (and then never fail)."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _before(a: Any, b: Any) -> bool:
    first, second = _iso(a), _iso(b)
    return first is not None and second is not None and first < second


def _error(param: str, message: str, value: Any) -> Error:
    error: Error = {"location": "body", "msg": message, "param": param}
    if value is not MISSING:
        error["value"] = value
    return error


class RuleFailed(Exception):
    """A custom rule's own message (e-MJPM's `throw new Error(...)`)."""


def _date_nomination(value: Any, root: dict) -> Any:
    if value not in (MISSING, None, "", 0, False):
        if root.get("date_premier_mesure") and _before(value, root["date_premier_mesure"]):
            raise RuleFailed("date_nomination must be after or equivalent to date_premier_mesure")
        if root.get("date_protection_en_cours") and _before(root["date_protection_en_cours"], value):
            raise RuleFailed("date_nomination must be before or equivalent to date_protection_en_cours")
    etats = root.get("etats")
    if isinstance(etats, list) and etats and isinstance(etats[-1], dict):
        changed = etats[-1].get("date_changement_etat")
        if changed and _before(changed, value if value is not MISSING else None):
            raise RuleFailed("date_nomination must be before or equivalent to date_changement_etat")
    return value if value is not MISSING else None


def _type_etablissement(etat: Any, root: dict) -> bool:
    if isinstance(etat, dict) and etat.get("lieu_vie") in ("etablissement", "etablissement_conservation_domicile"):
        if not etat.get("type_etablissement"):
            raise RuleFailed("type_etablissement is required")
        if etat["type_etablissement"] not in TYPES_ETABLISSEMENT:
            raise RuleFailed("type_etablissement is not valid")
    return True


def _champ_mesure(value: Any, root: dict) -> bool:
    etats = root.get("etats")
    if isinstance(etats, list) and etats:
        last = etats[-1] if isinstance(etats[-1], dict) else {}
        empty = value in (MISSING, None, "", 0, False)
        if last.get("nature_mesure") in CHAMP_REQUIRED and empty:
            raise RuleFailed("champ_mesure is required")
        if not empty and value not in CHAMPS_MESURE:
            raise RuleFailed(f"champ_mesure must be equal to {' or '.join(CHAMPS_MESURE)}")
    return True


def _not_empty(value: Any) -> bool:
    return _text(value) != ""


def _one_of(keys: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: _text(value) in keys


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool | None]:
    """`optional({ nullable: true })`: a missing or null field is not checked (None: skipped)."""
    return lambda value: None if value is MISSING or value is None else check(value)


# (path below the measure, checks in order). A check is either a predicate (False: "Invalid value") or a
# custom rule taking (value, request body) that raises RuleFailed, or returns a falsy value to fail.
PLAIN: list[tuple[str, list]] = [
    ("numero_rg", [_not_empty]),
    ("annee_naissance", [_not_empty]),
    ("civilite", [_one_of(CIVILITES)]),
    ("date_nomination", [("custom", _date_nomination), _is_date]),
    ("date_fin_mesure", [_optional(_is_date)]),
    ("date_premier_mesure", [_optional(_is_date)]),
    ("date_protection_en_cours", [_optional(_is_date)]),
    ("tribunal_siret", [_not_empty]),
    ("cause_sortie", [_optional(_one_of(CAUSES_SORTIE))]),
    ("resultat_revision", [_optional(_one_of(RESULTATS_REVISION))]),
    ("etats.*.pays", [lambda value: is_country(_text(value))]),
    ("etats.*.date_changement_etat", [_is_date]),
    ("etats.*.nature_mesure", [_one_of(NATURES_MESURE)]),
    ("etats.*.lieu_vie", [_one_of(LIEUX_VIE)]),
    ("etats.*", [("custom", _type_etablissement)]),
    ("etats.*.champ_mesure", [("custom", _champ_mesure)]),
]


def _fields(mesure: Any, path: str, prefix: str) -> Iterator[tuple[str, Any]]:
    """The (param, value) pairs a path selects in one measure: `etats.*.pays` gives `etats[0].pays`..."""
    if not isinstance(mesure, dict):
        mesure = {}
    if not path.startswith("etats.*"):
        yield prefix + path, mesure.get(path, MISSING)
        return
    etats = mesure.get("etats")
    if not isinstance(etats, list):
        return
    rest = path[len("etats.*") :].lstrip(".")
    for index, etat in enumerate(etats):
        param = f"{prefix}etats[{index}]" + (f".{rest}" if rest else "")
        if not rest:
            yield param, etat
        else:
            yield param, etat.get(rest, MISSING) if isinstance(etat, dict) else MISSING


def _run(checks: list, param: str, value: Any, root: dict) -> Iterator[Error]:
    for check in checks:
        if isinstance(check, tuple):
            try:
                passed = check[1](value, root)
            except RuleFailed as failure:
                yield _error(param, str(failure), value)
                continue
            if not passed:
                yield _error(param, INVALID, value)
        elif check(value) is False:
            yield _error(param, INVALID, value)


def check_mesure(body: Any) -> list[Error]:
    """The failed checks of one measure (POST /api/editors/mesures, PUT /api/editors/mesures/{id})."""
    root = body if isinstance(body, dict) else {}
    return [
        error
        for path, checks in PLAIN
        for param, value in _fields(root, path, "")
        for error in _run(checks, param, value, root)
    ]


def check_batch(body: Any) -> list[Error]:
    """The failed checks of a batch (POST /api/editors/mesures/batch), rule by rule across its measures."""
    root = body if isinstance(body, dict) else {}
    mesures = root.get("mesures")
    mesures = mesures if isinstance(mesures, list) else []
    return [
        error
        for path, checks in PLAIN
        for index, mesure in enumerate(mesures)
        for param, value in _fields(mesure, path, f"mesures[{index}].")
        for error in _run(checks, param, value, root)
    ]
