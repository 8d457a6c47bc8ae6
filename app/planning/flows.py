"""Scenario and "where to add" flows: the edits checked against the territory, applied to a copy of the offer,
and simulated side by side with the current offer (same arrivals, same seed). Nothing is written."""

from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from app.config import Settings
from app.geo.gazetteer import Gazetteer
from app.matching.service import default_weights
from app.planning import placement, service
from app.planning.exceptions import CommuneHorsTerritoire, MandataireHorsTerritoire, TerritoireTropEtendu
from app.planning.scenario import Ajout, Scenario, apply
from app.planning.schemas import ComparaisonIn, ImplantationsIn, ScenarioIn
from app.planning.simulation import Offer

# Communes of a proposal's territory, at most: each is compared with each (Grand Est, the largest région, has
# about 5 100).
MAX_COMMUNES = 6_000


def check_scenario(scenario: ScenarioIn, offer: Offer, gazetteer: Gazetteer, loc: list) -> Scenario:
    """The scenario as the pure code takes it: every commune known and within the territory, every professional
    one that can receive the territory's measures (422 naming the field otherwise)."""
    for i, ajout in enumerate(scenario.ajouts):
        commune = gazetteer.communes.get(ajout.insee)
        if commune is None or commune.departement not in offer.departements:
            raise CommuneHorsTerritoire(
                f"commune {ajout.insee} inconnue ou hors du territoire simulé", loc=[*loc, "ajouts", i, "insee"]
            )
    territorial = set(offer.territorial_ids())
    edits = [("retraits", i, mandataire_id) for i, mandataire_id in enumerate(scenario.retraits)]
    edits += [("plafonds", i, plafond.mandataire_id) for i, plafond in enumerate(scenario.plafonds)]
    for field, i, mandataire_id in edits:
        if mandataire_id not in territorial:
            where = [*loc, field, i] if field == "retraits" else [*loc, field, i, "mandataire_id"]
            raise MandataireHorsTerritoire(
                f"professionnel {mandataire_id} inconnu ou hors du territoire simulé", loc=where
            )
    return Scenario(
        ajouts=tuple(Ajout(a.insee, a.capacite, a.exercice, a.nombre) for a in scenario.ajouts),
        retraits=frozenset(scenario.retraits),
        plafonds={p.mandataire_id: p.capacite for p in scenario.plafonds},
        croissance=scenario.croissance,
    )


def compare(
    session: Session,
    *,
    gazetteer: Gazetteer,
    settings: Settings,
    departements: frozenset[str],
    parametres: ComparaisonIn,
    now: datetime,
    offer: Offer | None = None,
) -> dict:
    """The current offer and the scenario simulated over the same draw, in the shape of `ComparaisonOut`."""
    offer = offer or _offer(session, settings, departements, now)
    scenario = check_scenario(parametres.scenario, offer, gazetteer, ["body", "scenario"])
    simulation = parametres.simulation
    # Both runs share everything but the offer and the growth the scenario may change.
    simulate = partial(
        service.run_simulation,
        session,
        gazetteer=gazetteer,
        settings=settings,
        departements=departements,
        now=now,
        loc=("body", "simulation"),
    )
    actuel = simulate(parametres=simulation, offer=offer)
    if scenario.croissance is not None:
        simulation = simulation.model_copy(update={"croissance": scenario.croissance})
    modifie = simulate(parametres=simulation, offer=apply(offer, scenario, gazetteer.communes))
    return {
        "territoire": actuel["territoire"],
        "scenario": parametres.scenario.model_dump(),
        "actuel": {"hypotheses": actuel["hypotheses"], "resultats": actuel["resultats"]},
        "modifie": {"hypotheses": modifie["hypotheses"], "resultats": modifie["resultats"]},
    }


def propose(
    session: Session,
    *,
    gazetteer: Gazetteer,
    settings: Settings,
    departements: frozenset[str],
    parametres: ImplantationsIn,
    now: datetime,
) -> dict:
    """The communes where `nombre` new professionals would most reduce the arrivals without a candidate within
    the norm, then the mean distance (`placement.propose`), and their simulated effect (`compare`)."""
    places = sorted(
        (c.insee, c.nom, c.lat, c.lon, c.population)
        for c in gazetteer.communes.values()
        if c.departement in departements
    )
    if len(places) > MAX_COMMUNES:
        raise TerritoireTropEtendu(
            f"le territoire compte {len(places)} communes, au-delà de {MAX_COMMUNES} : choisissez une région ou un "
            "département",
            loc=["query", "region"],
        )
    offer = _offer(session, settings, departements, now)
    arrivees = parametres.simulation.arrivees or _yearly_arrivals(session, departements, now)
    communes = placement.population_demand(places, float(arrivees))
    suppliers = placement.suppliers_of(offer, default_radius_km=parametres.norme_km)
    proposal = placement.propose(
        suppliers, communes, k=parametres.nombre, capacite=parametres.capacite, rayon_km=parametres.norme_km
    )
    scenario = ScenarioIn(
        ajouts=[
            {"insee": pick.insee, "capacite": parametres.capacite, "exercice": parametres.exercice}
            for pick in proposal.picks
        ]
    )
    effet = compare(
        session,
        gazetteer=gazetteer,
        settings=settings,
        departements=departements,
        parametres=ComparaisonIn(simulation=parametres.simulation, scenario=scenario),
        now=now,
        offer=offer,
    )
    return {
        "territoire": sorted(departements),
        "hypotheses": {
            "nombre": parametres.nombre,
            "capacite": parametres.capacite,
            "exercice": parametres.exercice,
            "norme_km": parametres.norme_km,
            "arrivees": arrivees,
            "professionnels": len(suppliers),
        },
        "implantations": [
            {
                "insee": pick.insee,
                "commune": pick.nom,
                "departement": gazetteer.communes[pick.insee].departement,
                "couvertes": round(pick.couvertes, 1),
                "gain_km": round(pick.gain_km, 1),
            }
            for pick in proposal.picks
        ],
        "avant": _assignment(proposal.avant),
        "apres": _assignment(proposal.apres),
        "scenario": scenario.model_dump(),
        "effet": effet,
    }


def _offer(session: Session, settings: Settings, departements: frozenset[str], now: datetime) -> Offer:
    return service.build_offer(session, departements=departements, now=now, weights=default_weights(settings))


def _yearly_arrivals(session: Session, departements: frozenset[str], now: datetime) -> int:
    flows = service.last_year_flows(
        session,
        departements=departements,
        now=now,
        remedy="indiquez le nombre d'arrivées",
        loc=["body", "simulation", "arrivees"],
    )
    return flows.nouvelles


def _assignment(assignment: placement.Assignment) -> dict:
    km = assignment.distance_moyenne_km
    return {
        "sans_candidat_dans_la_norme": round(assignment.sans_candidat, 1),
        "couvertes": round(assignment.couvertes, 1),
        "distance_moyenne_km": None if km is None else round(km, 2),
    }
