"""Reads for the matching engine: profiles for the index (a few set-based queries), the live load of the
candidates of one request, the version stamp; and the stored match records."""

import json
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, String, any_, bindparam, func, select
from sqlalchemy.orm import Session

from app.geo.models import Tribunal
from app.matching.engine import LiveLoad, Profile, SiteProfile, Weights
from app.matching.index import Contact, MatchIndex, TribunalRef
from app.matching.models import DepartementWeights, RegistryVersion
from app.registry.load import RECENT_DESIGNATIONS, recent_designation_params
from app.registry.models import (
    Absence,
    Etablissement,
    Mandataire,
    MandataireDepartement,
    MandataireEtablissement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Site,
)

_VERSION = select(RegistryVersion.version).where(RegistryVersion.id == 1)


def registry_version(session: Session) -> int:
    return session.connection().scalar(_VERSION) or 0


def _grouped(session: Session, key_column, value_column, *where) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for key, value in session.execute(select(key_column, value_column).where(*where)):
        grouped[key].append(value)
    return grouped


def build_index(session: Session, *, today: date) -> MatchIndex:
    version = registry_version(session)
    natures = _grouped(session, MandataireNature.mandataire_id, MandataireNature.nature)
    departements = _grouped(session, MandataireDepartement.mandataire_id, MandataireDepartement.departement)
    tribunaux = _grouped(session, MandataireTribunal.mandataire_id, MandataireTribunal.tribunal_id)
    specialites = _grouped(session, MandataireSpecialite.mandataire_id, MandataireSpecialite.specialite)
    etablissements = _grouped(session, MandataireEtablissement.mandataire_id, MandataireEtablissement.etablissement_id)
    absences: dict[int, list] = defaultdict(list)
    for mandataire_id, debut, fin in session.execute(
        select(Absence.mandataire_id, Absence.debut, Absence.fin).where(Absence.fin >= today)
    ):
        absences[mandataire_id].append((debut, fin))
    sites: dict[int, list[SiteProfile]] = defaultdict(list)
    site_insee = {}
    for site in session.execute(
        select(Site.id, Site.mandataire_id, Site.nom, Site.lat, Site.lon, Site.capacite, Site.insee).order_by(Site.id)
    ):
        sites[site.mandataire_id].append(SiteProfile(site.id, site.nom, site.lat, site.lon, site.capacite))
        site_insee[site.id] = site.insee

    profiles = {}
    columns = (
        Mandataire.id,
        Mandataire.nom,
        Mandataire.type,
        Mandataire.dpf,
        Mandataire.statut,
        Mandataire.accepte_nouvelles_mesures,
        Mandataire.rayon_km,
        Mandataire.capacite,
        Mandataire.derniere_mise_a_jour,
        Mandataire.telephone,
        Mandataire.email,
        Mandataire.langues,
        Mandataire.created_at,
    )
    contacts = {}
    for row in session.execute(select(*columns)):
        contacts[row.id] = Contact(row.telephone, row.email)
        own_sites = tuple(sites.get(row.id, ()))
        profiles[row.id] = Profile(
            id=row.id,
            nom=row.nom,
            type=row.type,
            dpf=row.dpf,
            statut=row.statut,
            accepte_nouvelles_mesures=row.accepte_nouvelles_mesures,
            natures=frozenset(natures.get(row.id, ())),
            departements=frozenset(departements.get(row.id, ())),
            tribunaux=frozenset(tribunaux.get(row.id, ())),
            specialites=frozenset(specialites.get(row.id, ())),
            rayon_km=row.rayon_km,
            capacite=row.capacite,
            derniere_mise_a_jour=row.derniere_mise_a_jour,
            absences=tuple(sorted(absences.get(row.id, ()))),
            etablissements=frozenset(etablissements.get(row.id, ())),
            sites=own_sites,
            langues=frozenset(row.langues or ()),  # ISO 639-1 codes, as the registry stores them
            inscrit_le=row.created_at,
        )
    tribunals = [
        TribunalRef(row.id, row.code, row.siret, row.departement)
        for row in session.execute(select(Tribunal.id, Tribunal.code, Tribunal.siret, Tribunal.departement))
    ]
    weights = {row.departement: Weights(**row.poids) for row in session.scalars(select(DepartementWeights))}
    return MatchIndex(
        version=version,
        profiles=profiles,
        weights_by_departement=weights,
        tribunals=tribunals,
        etablissements={
            row.id: (row.lat, row.lon)
            for row in session.execute(select(Etablissement.id, Etablissement.lat, Etablissement.lon))
        },
        contacts=contacts,
        site_insee=site_insee,
    )


# The live-load statement, built once: one round trip gives each professional's load and, through the outer join,
# that of its antennes with their own capacity (one row per such antenne). Its recent designations are those the
# load path keeps, counted from its measures only when that count does not hold (`app.registry.load`).
def _loads(ids_condition: ColumnElement[bool]) -> Select:
    return (
        select(
            Mandataire.id,
            Mandataire.mesures_en_cours,
            Mandataire.mesures_en_attente,
            RECENT_DESIGNATIONS,
            Site.id,
            Site.mesures_en_cours + Site.mesures_en_attente,
            _VERSION.scalar_subquery(),  # the stamp, in the same round trip (`loads_and_version`)
        )
        .outerjoin(Site, (Site.mandataire_id == Mandataire.id) & Site.capacite.is_not(None))
        .where(ids_condition)
    )


# The ids are one parameter, so that the statement has one SQL text whatever their number, prepared once per
# connection: an expanding IN renders a text per number of ids, which PostgreSQL plans anew each time (a third of
# the query's time on the national register) and SQLite prepares again once its statement cache has dropped it.
# PostgreSQL takes an array, SQLite a JSON array unpacked by json_each.
_LOADS_ARRAY = _loads(Mandataire.id == any_(bindparam("ids", type_=ARRAY(Integer))))
_IDS_JSON = func.json_each(bindparam("ids", type_=String)).table_valued("value")
_LOADS_JSON = _loads(Mandataire.id.in_(select(_IDS_JSON.c.value)))


def live_loads(session: Session, ids: list[int], *, now: datetime) -> dict[int, LiveLoad]:
    """Current load of the given professionals, read from the database (the truth about capacity), with the
    load of their antennes that carry their own capacity, and their designations in the window before `now`."""
    return _read_loads(session, ids, now)[0] if ids else {}


def loads_and_version(session: Session, ids: list[int], *, now: datetime) -> tuple[dict[int, LiveLoad], int]:
    """`live_loads`, with the registry version stamp read by the same statement: the index those ids came from
    was current when the loads were read if it carries that stamp. One round trip for both on `/match`."""
    loads, version = _read_loads(session, ids, now) if ids else ({}, None)
    return loads, registry_version(session) if version is None else version


def _read_loads(session: Session, ids: list[int], now: datetime) -> tuple[dict[int, LiveLoad], int | None]:
    loads: dict[int, LiveLoad] = {}
    # Plain Core rows: this is the hot path of every /match.
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    statement = _LOADS_ARRAY if postgresql else _LOADS_JSON
    bound = {"ids": ids if postgresql else json.dumps(ids), **recent_designation_params(now)}
    rows = connection.execute(statement, bound).all()
    for mandataire_id, en_cours, en_attente, recent, site_id, site_held, _version in rows:
        load = loads.get(mandataire_id)
        if load is None:
            load = loads[mandataire_id] = LiveLoad(en_cours, en_attente, recent, {})
        if site_id is not None:
            load.sites[site_id] = site_held
    # No row: none of the ids is in the registry any more, and the stamp was not read.
    return loads, (rows[0][-1] or 0) if rows else None
