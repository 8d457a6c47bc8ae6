"""Matching flows: build the engine's query from a request, run the engine over the index and the live load,
present and store the answer; explain one professional's place; per-département weights."""

import threading
import uuid
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from pydantic_core import to_json
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.auth.exceptions import OutsideTribunal
from app.auth.principal import Principal
from app.config import Settings
from app.database import EncodedJSON, statements_commit_alone, table_of, utcnow, write_aside
from app.geo.gazetteer import Gazetteer
from app.geo.locate import Locator
from app.geo.schemas import Location
from app.geo.tribunals import find_tribunal
from app.matching import engine, repository
from app.matching.index import MatchIndex, TribunalRef
from app.matching.models import DepartementWeights, MatchRecord
from app.matching.schemas import (
    ExplainRequest,
    ExplainResponse,
    MatchRequest,
    WeightsIn,
    WeightsOut,
)
from app.observability import INDEX_REBUILDS
from app.registry.constants import IN_ETABLISSEMENT
from app.registry.exceptions import MandataireNotFound, UnknownEtablissement

TUNING = engine.Tuning()
# A plain Core insert compiled once: the audit record is written on every /match.
_RECORD = insert(table_of(MatchRecord))


class IndexCache:
    """The process's index, rebuilt when the registry version stamp in the database has moved, so that several
    workers stay consistent: each checks the stamp on every request."""

    def __init__(self) -> None:
        self._index: MatchIndex | None = None
        self._lock = threading.Lock()

    def last(self, session: Session) -> MatchIndex:
        """The last index built, without reading the stamp: for a caller that reads it along with its own query
        and checks it (`run_match`). Built on first use."""
        return self._index or self.get(session)

    def get(self, session: Session) -> MatchIndex:
        """The index of the stamp read now, rebuilt when the one held is older."""
        version = repository.registry_version(session)
        index = self._index
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = repository.build_index(session, today=date.today())
                INDEX_REBUILDS.inc()
            return self._index


def default_weights(settings: Settings) -> engine.Weights:
    return replace(engine.Weights(), **settings.match_weights)


def weights_for(index: MatchIndex, settings: Settings, departement: str) -> engine.Weights:
    return index.weights_by_departement.get(departement) or default_weights(settings)


def _query(
    *,
    index: MatchIndex,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    payload: MatchRequest,
) -> tuple[engine.Query, TribunalRef, Location]:
    # Resolved against the index: no query on the hot path.
    tribunal = find_tribunal(gazetteer, payload.tribunal, ["body", "tribunal"], index.tribunals_by_code.get)
    if principal.is_judicial and tribunal.id != principal.tribunal_id:
        raise OutsideTribunal("vous ne pouvez demander une liste que pour votre tribunal")
    location = locator.locate(payload.residence, loc=["body", "residence"])
    if payload.etablissement is not None and payload.etablissement not in index.etablissements:
        raise UnknownEtablissement(
            f"établissement inconnu : {payload.etablissement}",
            loc=["body", "etablissement"],
        )
    # A person living in an établissement the registry knows is there, not at the commune's centre: distances
    # are measured from the établissement's own place (its préposé is then at hand).
    lat, lon = location.lat, location.lon
    if payload.etablissement is not None and payload.lieu_vie in IN_ETABLISSEMENT:
        lat, lon = index.etablissements[payload.etablissement]
    now = utcnow()
    query = engine.Query(
        tribunal_id=tribunal.id,
        tribunal_departement=tribunal.departement,
        nature=payload.nature,
        lat=lat,
        lon=lon,
        pays=location.pays,
        lieu_vie=payload.lieu_vie,
        today=now.date(),
        now=now,
        etablissement_id=payload.etablissement,
        besoins=frozenset(payload.besoins),
        langues=frozenset(payload.langues),
        annee_naissance=payload.annee_naissance,
        urgence=payload.urgence,
        exclure=frozenset(payload.exclure),
        limit=payload.limit,
        inclure_complets=payload.inclure_complets,
        diversite=payload.diversite,
    )
    return query, tribunal, location


@dataclass(frozen=True, slots=True)
class Ranked:
    """A request ranked: the index and the query it was ranked on, the engine's result."""

    index: MatchIndex
    query: engine.Query
    tribunal: TribunalRef
    location: Location
    weights: engine.Weights
    result: engine.Result


def _rank_on(
    session: Session,
    index: MatchIndex,
    *,
    settings: Settings,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    payload: MatchRequest,
    current: bool,
) -> Ranked | None:
    """The request ranked on `index` with the live loads; None when `index` may be older than the registry and
    was (an index just checked against the stamp is `current`: ranked whatever moved since, as any read may)."""
    try:
        query, tribunal, location = _query(
            index=index, principal=principal, gazetteer=gazetteer, locator=locator, payload=payload
        )
    except UnknownEtablissement:
        if current:
            raise
        return None  # perhaps added since this index was built
    weights = weights_for(index, settings, tribunal.departement)
    passing, exclusions = index.candidates(query)
    loads, version = repository.loads_and_version(session, [p.id for p in passing], now=query.now)
    if version != index.version and not current:
        return None
    eligible = [(profile, loads[profile.id]) for profile in passing if profile.id in loads]
    result = engine.rank(len(index.profiles), exclusions, eligible, query, weights, TUNING)
    return Ranked(index, query, tribunal, location, weights, result)


def candidat_data(
    candidate: engine.Candidate, *, index: MatchIndex | None = None, gazetteer: Gazetteer | None = None
) -> dict:
    """A candidate in the shape of `Candidat`, as plain data (a test checks that shape on `/match`); with the
    index and the gazetteer, the professional's contact details and the commune of its site."""
    site, profile = candidate.site, candidate.profile
    nearest: dict[str, object] | None = (
        {"id": site.id, "nom": site.nom, "lat": site.lat, "lon": site.lon} if site else None
    )
    mandataire: dict[str, object] = {"id": profile.id, "nom": profile.nom, "type": profile.type}
    if index is not None and gazetteer is not None:
        contact = index.contacts.get(profile.id)
        mandataire["telephone"] = contact.telephone if contact else None
        mandataire["email"] = contact.email if contact else None
        if site is not None and nearest is not None:
            insee = index.site_insee.get(site.id)
            commune = gazetteer.communes.get(insee) if insee else None
            nearest["commune"] = commune.nom if commune else None
            nearest["insee"] = insee
    mandataire["site_le_plus_proche"] = nearest
    return {
        "mandataire": mandataire,
        "rang": candidate.rang,
        "score": candidate.score,
        "composantes": [
            {name: getattr(component, name) for name in component.__slots__} for component in candidate.composantes
        ],
        "distance_km": candidate.distance_km,
        "places_libres": candidate.places_libres,
        "taux_occupation": candidate.taux_occupation,
        "derniere_mise_a_jour": profile.derniere_mise_a_jour,
        "ajoute_pour_diversite": candidate.ajoute_pour_diversite,
        "hors_zone_declaree": candidate.hors_zone_declaree,
        "donnees_anciennes": candidate.donnees_anciennes,
        "complet": candidate.complet,
        "explication": candidate.explication,
    }


class MatchAnswer(dict):
    """The shortlist in the shape of `MatchResponse`, with its JSON text (`encoded`), encoded once for the audit
    record and the response."""

    encoded: bytes


def run_match(
    session: Session,
    *,
    cache: IndexCache,
    settings: Settings,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    payload: MatchRequest,
    aside: bool = False,
) -> MatchAnswer:
    """The shortlist in the shape of `MatchResponse`, stored and returned as it is: in the caller's transaction,
    or (`aside`, the `/match` route) with each statement committing on its own (`statements_commit_alone`), the
    record appended last (`write_aside`): two statements in all, the live loads with the version stamp
    (`_rank_on`) and the record. The record only appends, so nothing it read needs the write lock: SQLite's one
    writer is held by the insert alone, not across the reads, the ranking or any Python code, and several workers
    rank at once."""
    if aside:
        statements_commit_alone(session)
    rank = partial(
        _rank_on, session, settings=settings, principal=principal, gazetteer=gazetteer, locator=locator, payload=payload
    )
    # First on the last index built, whose stamp the live loads' statement reads along (one round trip for both
    # instead of two on every `/match`); when the stamp had moved, or the request names an établissement that index
    # lacks, again on the index of the stamp read anew.
    ranked = rank(cache.last(session), current=False) or rank(cache.get(session), current=True)
    assert ranked is not None  # ranked on a current index: never None
    index, query, result = ranked.index, ranked.query, ranked.result
    tribunal, location = ranked.tribunal, ranked.location
    match_id = str(uuid.uuid4())
    # Built in the shape of `MatchResponse` without validating it again (a test checks that shape): this is the
    # hot path, and every value comes from the engine's typed results.
    answer = MatchAnswer(
        {
            "match_id": match_id,
            "tribunal": tribunal.siret or tribunal.code,
            "residence": location.model_dump(mode="json", exclude_none=True),
            "candidats": [candidat_data(c, index=index, gazetteer=gazetteer) for c in result.candidats],
            "exclus": {
                "consideres": result.considered,
                "eligibles": result.eligibles,
                "par_motif": result.exclusions,
                "motifs": {code: engine.REASONS[code] for code in result.exclusions},
            },
            "parametres": {
                "poids": result.weights.as_dict(),
                "version_moteur": engine.ENGINE_VERSION,
                "version_registre": index.version,
            },
        }
    )
    answer.encoded = to_json(answer)
    record = {
        "id": match_id,
        "created_at": query.now,
        "tribunal_id": tribunal.id,
        "token_id": principal.token_id,
        "engine_version": engine.ENGINE_VERSION,
        "demande": EncodedJSON(payload.model_dump_json()),
        "reponse": EncodedJSON(answer.encoded.decode()),
    }
    if aside:
        with write_aside(session):
            session.connection().execute(_RECORD, record)
    else:
        session.connection().execute(_RECORD, record)
    return answer


def explain_match(
    session: Session,
    *,
    cache: IndexCache,
    settings: Settings,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    payload: ExplainRequest,
) -> ExplainResponse:
    index = cache.get(session)
    profile = index.profiles.get(payload.mandataire)
    if profile is None:
        raise MandataireNotFound(f"mandataire introuvable : {payload.mandataire}", loc=["body", "mandataire"])
    ranked = _rank_on(
        session,
        index,
        settings=settings,
        principal=principal,
        gazetteer=gazetteer,
        locator=locator,
        payload=payload,
        current=True,
    )
    assert ranked is not None  # current: never None
    query, weights, result = ranked.query, ranked.weights, ranked.result
    listed = next((c for c in result.candidats if c.profile.id == profile.id), None)
    reasons = list(engine.failing_rules(profile, query))
    evaluated = listed
    if evaluated is None:  # not shortlisted: score it alone, with its own live load
        load = repository.live_loads(session, [profile.id], now=query.now)
        evaluated = engine.evaluate(
            profile,
            load.get(profile.id, engine.LiveLoad(0, 0)),
            query,
            engine.effective_weights(weights, query.urgence),
            TUNING,
        )
    if evaluated.complet:
        reasons.append(engine.COMPLET)
    if listed is None and profile.id in result.classement:
        # Its place in the list's own order (requested needs first, then score...), not its score alone.
        evaluated.rang = result.classement.index(profile.id) + 1
    reason = reasons[0] if reasons else None
    if listed is not None:
        message = f"Retenu au rang {listed.rang} : {listed.explication}"
    elif reasons:
        message = "Écarté : " + " ; ".join(engine.REASONS[code] for code in reasons) + "."
    else:
        last = min(c.score for c in result.candidats if not c.ajoute_pour_diversite)
        # A better score placed lower: only requested needs, which come first in the list's order, explain it.
        why = (
            f"score {evaluated.score:.2f}, le dernier retenu a {last:.2f}"
            if evaluated.score <= last
            else f"score {evaluated.score:.2f}, mais les retenus couvrent plus des besoins demandés"
        )
        head = "du premier" if query.limit == 1 else f"des {query.limit} premiers"
        message = f"Éligible mais au-delà {head} : classé {evaluated.rang}e, {why}. {evaluated.explication}"
    return ExplainResponse(
        mandataire=profile.id,
        nom=profile.nom,
        retenu=listed is not None,
        eligible=reason is None,
        motif=reason,
        motifs=[{"code": code, "libelle": engine.REASONS[code]} for code in reasons],
        message=message,
        candidat=candidat_data(evaluated, index=index, gazetteer=gazetteer),
    )


def get_weights(session: Session, *, settings: Settings, departement: str) -> WeightsOut:
    row = session.get(DepartementWeights, departement)
    if row is not None:
        return WeightsOut(departement=departement, source="departement", **row.poids)
    return WeightsOut(departement=departement, source="defaut", **default_weights(settings).as_dict())


def set_weights(session: Session, *, principal: Principal, departement: str, payload: WeightsIn) -> WeightsOut:
    row = session.get(DepartementWeights, departement)
    if row is None:
        row = DepartementWeights(departement=departement)
        session.add(row)
    row.poids = payload.model_dump()
    row.updated_by = principal.token_id
    session.flush()
    return WeightsOut(departement=departement, source="departement", **row.poids)
