"""Request parameters shared by the routes that list measures: the JSON page (`GET /mesures`) and its exports."""

from typing import Annotated, Any

from fastapi import Depends, Query

from app.dependencies import SessionDep
from app.geo.dependencies import GazetteerDep
from app.geo.tribunals import resolve_tribunal
from app.registry import rg
from app.registry.constants import MesureStatut, Nature, Pays
from app.types import Id, Texte


def mesure_filters(
    session: SessionDep,
    gazetteer: GazetteerDep,
    mandataire: Annotated[Id | None, Query()] = None,
    tribunal: Annotated[Texte | None, Query(description="SIRET ou code")] = None,
    statut: MesureStatut | None = None,
    nature: Nature | None = None,
    pays: Pays | None = None,
    numero_rg: Annotated[Texte | None, Query(max_length=30)] = None,
    q: Annotated[
        Texte | None,
        Query(min_length=1, max_length=100, description="Début du numéro RG ou de dossier, ou partie de la commune"),
    ] = None,
) -> dict[str, Any]:
    """The filters of a measures query, as keyword arguments of `service.mesures_query`."""
    tribunal_id = resolve_tribunal(session, gazetteer, tribunal, ["query", "tribunal"]).id if tribunal else None
    return {
        "mandataire_id": mandataire,
        "tribunal_id": tribunal_id,
        "statut": statut,
        "nature": nature,
        "pays": pays,
        "numero_rg": rg.normalize(numero_rg) if numero_rg else None,
        "q": q,
    }


MesureFilters = Annotated[dict[str, Any], Depends(mesure_filters)]
