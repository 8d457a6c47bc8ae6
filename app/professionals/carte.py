"""Where a professional's people live: its measures in progress or pending, counted per commune of residence
(French commune or Belgian municipality) with the commune's point, for the map of the professional's space."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.geo.gazetteer import Gazetteer
from app.professionals.schemas import CarteMesures, CommuneMesures
from app.registry.constants import ACTIVE_STATUTS, Pays
from app.registry.models import Mandataire, Mesure


def carte_mesures(session: Session, gazetteer: Gazetteer, mandataire: Mandataire) -> CarteMesures:
    rows = session.execute(
        select(Mesure.pays, Mesure.insee, Mesure.nis, func.count())
        .where(Mesure.mandataire_id == mandataire.id, Mesure.statut.in_(ACTIVE_STATUTS))
        .group_by(Mesure.pays, Mesure.insee, Mesure.nis)
    )
    communes, sans_position = [], 0
    for pays, insee, nis, count in rows:
        if pays == Pays.BE and nis and (municipality := gazetteer.belgian.get(nis)) is not None:
            communes.append(
                CommuneMesures(
                    pays=Pays.BE,
                    code=nis,
                    commune=municipality.nom_fr,
                    departement=None,
                    lat=municipality.lat,
                    lon=municipality.lon,
                    mesures=count,
                )
            )
        elif pays == Pays.FR and insee and (commune := gazetteer.communes.get(insee)) is not None:
            communes.append(
                CommuneMesures(
                    pays=Pays.FR,
                    code=insee,
                    commune=commune.nom,
                    departement=commune.departement,
                    lat=commune.lat,
                    lon=commune.lon,
                    mesures=count,
                )
            )
        else:
            sans_position += count
    communes.sort(key=lambda c: (-c.mesures, c.commune))
    return CarteMesures(mandataire=mandataire.id, communes=communes, sans_position=sans_position)
