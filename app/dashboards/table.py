"""The declaration of a dashboard table, the one place a table is described.

A table is a module of `app.dashboards.tables` holding `TABLE = Table(...)`: its name (its URL), title and
description, every column it can show (key, French label, type), its own query parameters (a FastAPI dependency),
the function that computes it, its place in the index and on the page, the chart or map the page draws of it,
and the labels the page shows for the codes of a column (the API and the exports keep the codes). The
router generates its routes (JSON, CSV, XLSX), the index lists it with its columns, the page shows it: adding a
table is adding one module.

The function computing a table returns a `Contenu`: rows keyed by column keys, totals, the note, the filters it
applied, and which of the declared columns it shows (some depend on the parameters: région or département,
one column per type...). Labels and types always come from the declaration.
"""

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import params

from app.dashboards.schemas import Colonne, ColumnType, Value


def colonne(cle: str, libelle: str, type: ColumnType = "entier") -> Colonne:
    """A declared column. A key holding `{name}` declares a family (one column per value, e.g. `annee_{annee}`
    labelled `{annee}`), expanded when a table names its members (`annee_2024`)."""
    return Colonne(cle=cle, libelle=libelle, type=type)


def sans_parametre() -> dict[str, Any]:
    """The parameters dependency of a table that takes none besides the common filters."""
    return {}


@dataclass(frozen=True, slots=True)
class Graphique:
    """The table drawn as bars on the page: one group of bars per value of `abscisse` (rows with the same value
    are added up), one series per entry of `series`: the first of its columns that the answer shows (a total,
    else the one column a filter keeps)."""

    titre: str
    legende: str
    abscisse: str
    series: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Carte:
    """The table colours the map of départements: one row per département in the `departement` column, shown
    when its `renseigne` column is positive (a département without any professional in the register has no data,
    not a zero); each indicator is a column, with fixed class bounds or none (bounds computed from the data), and
    `inverse` when a lower value means more tension (darker)."""

    departement: str
    renseigne: str
    indicateurs: tuple["Indicateur", ...]


@dataclass(frozen=True, slots=True)
class Indicateur:
    cle: str
    libelle: str
    seuils: tuple[float, ...] | None = None
    inverse: bool = False


@dataclass(frozen=True, slots=True)
class Variante:
    """Another view of the table the page offers to download (e.g. the list behind the counts)."""

    libelle: str
    parametres: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Contenu:
    """What a table's function computes; `cles`, the declared columns shown (all of them when None)."""

    lignes: list[dict[str, Value]]
    totaux: dict[str, Value] | None
    note: str
    filtres: dict[str, Any]
    cles: Sequence[str] | None = None
    titre: str | None = None


@dataclass(frozen=True)
class Table:
    nom: str
    titre: str
    description: str
    colonnes: tuple[Colonne, ...]
    calcul: Callable[..., Contenu]  # (session, *, gazetteer, perimetre, **parameters)
    ordre: int  # place in the index and on the page
    parametres: Callable[..., dict[str, Any]] = sans_parametre
    periode: bool = False  # honours the period filters (debut, fin)
    graphique: Graphique | None = None
    carte: Carte | None = None
    codes: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)  # column → French label of each code
    variantes: tuple[Variante, ...] = ()
    _by_key: dict[str, Colonne] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {c.cle: c for c in self.colonnes})
        page_keys: list[str] = []
        if self.graphique is not None:
            page_keys += [self.graphique.abscisse, *(key for keys in self.graphique.series for key in keys)]
        if self.carte is not None:
            page_keys += [self.carte.departement, self.carte.renseigne, *(i.cle for i in self.carte.indicateurs)]
        page_keys += list(self.codes)
        for key in page_keys:
            if key not in self._by_key:
                raise ValueError(f"{self.nom}: the page uses an undeclared column {key!r}")

    @property
    def parametres_noms(self) -> list[str]:
        """The query parameters the table takes besides the territorial filters: its own (read from its
        dependency's signature, leaving out what it depends on, e.g. the settings), then the period filters if it
        honours them."""
        own = [
            name
            for name, parameter in inspect.signature(self.parametres).parameters.items()
            if not any(isinstance(meta, params.Depends) for meta in getattr(parameter.annotation, "__metadata__", ()))
        ]
        return [*own, *(("debut", "fin") if self.periode else ())]

    def colonnes_de(self, cles: Sequence[str] | None) -> list[Colonne]:
        """The declared columns of these keys, in the given order; a family's member gets the family's label."""
        if cles is None:
            return [c for c in self.colonnes if "{" not in c.cle]
        return [self._colonne(cle) for cle in cles]

    def _colonne(self, cle: str) -> Colonne:
        if (declared := self._by_key.get(cle)) is not None:
            return declared
        for family in self.colonnes:
            if "{" in family.cle and (values := _match(family.cle, cle)) is not None:
                return Colonne(cle=cle, libelle=family.libelle.format(**values), type=family.type)
        raise KeyError(f"{self.nom}: undeclared column {cle!r}")


def _match(pattern: str, key: str) -> dict[str, str] | None:
    parts = re.split(r"\{(\w+)\}", pattern)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
    found = re.fullmatch(regex, key)
    return found.groupdict() if found else None
