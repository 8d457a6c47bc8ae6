"""Scenarios: edits of the offer an agent wants to try (professionals added at communes, removed, capped; another
growth of arrivals), applied to a copy of the simulation's offer. Pure code: the registry is never touched.

Ids: an added professional gets a negative id (-1, -2...) and so does its one site, never an id of the registry.
An added professional is as a new profile would be on the day of the snapshot: active, accepting new measures,
every nature of a majeur's measure (MJAGBF needs the DPF accreditation, which a new profile lacks), listed in the
département of its commune for all its tribunals, with the engine's default radius, no speciality, and an empty
caseload.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from app.geo.gazetteer import Commune
from app.matching.engine import ACTIVE, LiveLoad, Profile, SiteProfile
from app.planning.simulation import Offer
from app.registry.constants import MandataireType, Nature

ADDABLE = (MandataireType.INDIVIDUEL.value, MandataireType.SERVICE.value)  # a préposé needs its établissements
NATURES_OF_NEW = frozenset(n.value for n in Nature if n is not Nature.MJAGBF)


@dataclass(frozen=True, slots=True)
class Ajout:
    """Professionals to add at a commune: `nombre` of them, each with `capacite` places."""

    insee: str
    capacite: int
    exercice: str = MandataireType.INDIVIDUEL.value
    nombre: int = 1


@dataclass(frozen=True, slots=True)
class Scenario:
    ajouts: tuple[Ajout, ...] = ()
    retraits: frozenset[int] = frozenset()  # professionals' ids
    plafonds: Mapping[int, int] = field(default_factory=dict)  # professional's id → capacity
    croissance: float | None = None  # None: as in the simulation of the current offer

    @property
    def vide(self) -> bool:
        return not (self.ajouts or self.retraits or self.plafonds) and self.croissance is None


def new_profile(ident: int, ajout: Ajout, commune: Commune, offer: Offer) -> Profile:
    nom = f"Nouveau {'service' if ajout.exercice == MandataireType.SERVICE else 'MI'} à {commune.nom}"
    return Profile(
        id=ident,
        nom=nom,
        type=ajout.exercice,
        dpf=False,
        statut=ACTIVE,
        accepte_nouvelles_mesures=True,
        natures=NATURES_OF_NEW,
        departements=frozenset({commune.departement}),
        tribunaux=frozenset(),
        specialites=frozenset(),
        rayon_km=None,
        capacite=ajout.capacite,
        derniere_mise_a_jour=offer.now,
        absences=(),
        etablissements=frozenset(),
        sites=(SiteProfile(ident, commune.nom, commune.lat, commune.lon, None),),
    )


def apply(offer: Offer, scenario: Scenario, communes: Mapping[str, Commune]) -> Offer:
    """The offer with the scenario's edits; `offer` itself is unchanged. The caller has checked the edits (known
    communes and professionals, see `check`)."""
    added = []
    ident = 0
    for ajout in scenario.ajouts:
        for _ in range(ajout.nombre):
            ident -= 1
            added.append((new_profile(ident, ajout, communes[ajout.insee], offer), LiveLoad(0, 0)))
    for mandataire_id, capacite in sorted(scenario.plafonds.items()):
        if mandataire_id in offer.index.profiles and mandataire_id not in scenario.retraits:
            added.append((replace(offer.index.profiles[mandataire_id], capacite=capacite), offer.loads[mandataire_id]))
    return offer.with_changes(added=added, removed=scenario.retraits)
