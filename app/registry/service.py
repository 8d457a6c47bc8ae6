"""Business operations of the registry: professionals, sites, absences, establishments, measures.

Functions take keyword-only arguments and leave the commit to the caller (the router), so that one request
is one transaction: a rejected request writes nothing.
"""

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from app import labels
from app.auth.constants import Role
from app.auth.exceptions import Forbidden, OutsideTerritory
from app.auth.principal import Principal
from app.config import Settings
from app.database import utcnow
from app.errors import InvalidInput, MissingField
from app.geo.exceptions import UnknownDepartement, UnknownInsee
from app.geo.gazetteer import Gazetteer, normalize_name
from app.geo.locate import Locator
from app.geo.models import Tribunal
from app.geo.schemas import Residence
from app.geo.tribunals import resolve_tribunal
from app.registry import repository, rg
from app.registry.constants import ACTIVE_STATUTS, MANDATAIRE_PLAIN_FIELDS, MandataireType, Nature
from app.registry.exceptions import (
    AbsenceNotOwned,
    EtablissementNotFound,
    FinessTaken,
    MandataireNotFound,
    MesureKeptBySoftware,
    MesureNotFound,
    MesuresKeptBySoftware,
    MjagbfWithoutDpf,
    NatureNotCovered,
    NumeroRgTaken,
    OverlappingAbsences,
    ReservedField,
    SiretTaken,
    SiteInUse,
    SiteNotOwned,
    StaleVersion,
    UnknownEtablissement,
    UnknownMandataire,
    UnknownSite,
)
from app.registry.load import LoadShare, apply_load_change, recount_departements
from app.registry.models import (
    Absence,
    Etablissement,
    EtpService,
    Mandataire,
    MandataireDepartement,
    MandataireNature,
    MandataireSpecialite,
    MandataireTribunal,
    Mesure,
    Site,
)
from app.registry.schemas import (
    TITLE_FIELDS,
    AbsenceIn,
    EtablissementIn,
    EtablissementPatch,
    MandataireCreate,
    MandataireUpdate,
    MesureCreate,
    MesureUpdate,
    SiteIn,
    SitePatch,
)
from app.registry.statistics import YearlyShare, apply_yearly_change
from app.registry.workload import measure_weight

# Changing these is an availability declaration: it refreshes the freshness stamp used by matching.
AVAILABILITY_FIELDS = frozenset(
    {"capacite", "accepte_nouvelles_mesures", "motif_nouvelles_mesures", "rayon_km", "specialites", "langues"}
)


# --- helpers ---------------------------------------------------------------------------------------


def check_version(current: int, given: int) -> None:
    if current != given:
        raise StaleVersion(current)


def commune_point(gazetteer: Gazetteer, insee: str, loc: list) -> tuple[str, float, float]:
    commune = gazetteer.communes.get(insee)
    if commune is None:
        raise UnknownInsee(f"code INSEE inconnu : {insee}", loc=loc)
    return commune.departement, commune.lat, commune.lon


# --- professionals ---------------------------------------------------------------------------------


def get_mandataire(session: Session, *, principal: Principal, mandataire_id: int) -> Mandataire:
    mandataire = session.get(Mandataire, mandataire_id)
    if mandataire is None or not principal.can_read_mandataire(
        mandataire.id, {d.departement for d in mandataire.departements}, {t.tribunal_id for t in mandataire.tribunaux}
    ):
        raise MandataireNotFound(f"mandataire introuvable : {mandataire_id}", loc=["path", "mandataire_id"])
    return mandataire


def get_managed_mandataire(session: Session, *, principal: Principal, mandataire_id: int) -> Mandataire:
    mandataire = get_mandataire(session, principal=principal, mandataire_id=mandataire_id)
    if not principal.can_manage_mandataire(mandataire.id, {d.departement for d in mandataire.departements}):
        raise Forbidden("vous pouvez consulter cette fiche mais pas la modifier")
    return mandataire


def _check_title(mandataire_type: str, dpf: bool, natures: Sequence[str]) -> None:
    if Nature.MJAGBF in natures and not dpf:
        raise MjagbfWithoutDpf(
            "natures : la MJAGBF est réservée aux délégués aux prestations familiales (dpf = true)",
            loc=["body", "natures"],
        )
    if mandataire_type == MandataireType.PREPOSE and Nature.MJAGBF in natures:
        raise InvalidInput("natures : un préposé d'établissement ne prend pas de MJAGBF", loc=["body", "natures"])


def _check_territory(
    principal: Principal, gazetteer: Gazetteer, departements: list[str], previous: frozenset[str] = frozenset()
) -> None:
    """Every département added to or removed from a listing must be in the agent's territory."""
    for index, code in enumerate(departements):
        if code not in gazetteer.departements:
            raise UnknownDepartement(f"département inconnu : {code}", loc=["body", "departements", index])
    if not principal.covers_all(set(departements) ^ previous):
        raise OutsideTerritory("ces départements sont hors de votre territoire")


def _etablissements(session: Session, ids: list[int]) -> list[Etablissement]:
    found = []
    for index, etablissement_id in enumerate(dict.fromkeys(ids)):
        etablissement = session.get(Etablissement, etablissement_id)
        if etablissement is None:
            raise UnknownEtablissement(
                f"établissement inconnu : {etablissement_id}",
                loc=["body", "etablissements", index],
            )
        found.append(etablissement)
    return found


def _set_title(session: Session, gazetteer: Gazetteer, mandataire: Mandataire, values: dict) -> None:
    if "natures" in values:
        mandataire.natures = [MandataireNature(nature=n) for n in dict.fromkeys(values["natures"])]
    if "departements" in values:
        mandataire.departements = [MandataireDepartement(departement=d) for d in dict.fromkeys(values["departements"])]
    if "tribunaux" in values:
        tribunals = [
            resolve_tribunal(session, gazetteer, key, ["body", "tribunaux", i])
            for i, key in enumerate(values["tribunaux"])
        ]
        mandataire.tribunaux = [MandataireTribunal(tribunal_id=t.id) for t in {t.id: t for t in tribunals}.values()]
    if "specialites" in values:
        mandataire.specialites = [MandataireSpecialite(specialite=s) for s in dict.fromkeys(values["specialites"])]
    if "etablissements" in values:
        mandataire.etablissements = _etablissements(session, values["etablissements"])


def _check_siret_free(session: Session, siret: str | None, mandataire_id: int | None = None) -> None:
    if siret is None:
        return
    other = session.scalar(select(Mandataire.id).where(Mandataire.siret == siret))
    if other is not None and other != mandataire_id:
        raise SiretTaken(f"SIRET déjà enregistré pour le mandataire {other}", loc=["body", "siret"])


def create_mandataire(
    session: Session, *, principal: Principal, gazetteer: Gazetteer, payload: MandataireCreate
) -> Mandataire:
    _check_territory(principal, gazetteer, payload.departements)
    _check_title(payload.type, payload.dpf, payload.natures)
    _check_siret_free(session, payload.siret)
    scalar_fields = payload.model_dump(
        exclude={"natures", "departements", "tribunaux", "specialites", "etablissements", "sites", "absences"}
    )
    mandataire = Mandataire(**scalar_fields, nom_recherche=normalize_name(payload.nom), derniere_mise_a_jour=utcnow())
    _set_title(
        session,
        gazetteer,
        mandataire,
        payload.model_dump(include={"natures", "departements", "tribunaux", "specialites", "etablissements"}),
    )
    for index, site in enumerate(payload.sites):
        mandataire.sites.append(_new_site(gazetteer, site, ["body", "sites", index]))
    session.add(mandataire)
    session.flush()
    for index, absence in enumerate(payload.absences):
        _add_absence(session, mandataire, absence, ["body", "absences", index])
    return mandataire


def update_mandataire(
    session: Session, *, principal: Principal, gazetteer: Gazetteer, mandataire: Mandataire, payload: MandataireUpdate
) -> Mandataire:
    check_version(mandataire.version, payload.version)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    reserved = sorted(TITLE_FIELDS & changes.keys())
    if reserved and principal.role == Role.MANDATAIRE:
        raise ReservedField(
            f"champs du titre légal, modifiables par les services de l'État seulement : {', '.join(reserved)}"
        )
    if "departements" in changes:
        previous = frozenset(d.departement for d in mandataire.departements)
        _check_territory(principal, gazetteer, changes["departements"], previous)
    _check_title(
        mandataire.type,
        changes.get("dpf", mandataire.dpf),
        changes.get("natures", [n.nature for n in mandataire.natures]),
    )
    _check_siret_free(session, changes.get("siret"), mandataire.id)
    _set_title(session, gazetteer, mandataire, changes)
    for field in MANDATAIRE_PLAIN_FIELDS:
        if field in changes:
            setattr(mandataire, field, changes[field])
    if mandataire.accepte_nouvelles_mesures:
        mandataire.motif_nouvelles_mesures = None  # a reason for refusing belongs to a refusal only
    if "nom" in changes:
        mandataire.nom_recherche = normalize_name(changes["nom"])
    if AVAILABILITY_FIELDS & changes.keys():
        mandataire.derniere_mise_a_jour = utcnow()
    # Always touch the row, so that its version moves even when only linked lists changed.
    mandataire.updated_at = utcnow()
    session.flush()
    return mandataire


def list_mandataires(session: Session, *, principal: Principal, limit: int, offset: int, today: date, **filters):
    search = filters.pop("q", None)
    query = repository.mandataires_query(
        principal, search=normalize_name(search) if search else None, today=today, **filters
    )
    return repository.page(session, query, order_by=(Mandataire.nom, Mandataire.id), limit=limit, offset=offset)


# --- sites and absences ----------------------------------------------------------------------------


def _new_site(gazetteer: Gazetteer, site: SiteIn, loc: list) -> Site:
    departement, lat, lon = commune_point(gazetteer, site.insee, [*loc, "insee"])
    return Site(nom=site.nom, insee=site.insee, departement=departement, lat=lat, lon=lon, capacite=site.capacite)


def add_site(session: Session, *, gazetteer: Gazetteer, mandataire: Mandataire, payload: SiteIn) -> Site:
    site = _new_site(gazetteer, payload, ["body"])
    mandataire.sites.append(site)
    mandataire.derniere_mise_a_jour = utcnow()
    session.flush()
    return site


def _site_of(mandataire: Mandataire, site_id: int) -> Site:
    for site in mandataire.sites:
        if site.id == site_id:
            return site
    raise SiteNotOwned(f"site {site_id} introuvable pour ce mandataire", loc=["path", "site_id"]) from None


def update_site(
    session: Session, *, gazetteer: Gazetteer, mandataire: Mandataire, site_id: int, payload: SitePatch
) -> Site:
    site = _site_of(mandataire, site_id)
    changes = payload.model_dump(exclude_unset=True)
    moved = False
    if "insee" in changes:
        departement, site.lat, site.lon = commune_point(gazetteer, changes["insee"], ["body", "insee"])
        moved, site.departement = departement != site.departement, departement
        site.insee = changes["insee"]
    for field in ("nom", "capacite"):
        if field in changes:
            setattr(site, field, changes[field])
    mandataire.derniere_mise_a_jour = utcnow()
    session.flush()  # the professional's row (held from here) before its counters: lock order of app.registry.load
    if moved:
        # Its measures are now worked in the new département: rare, so the professional's counters are recounted.
        recount_departements(session, [mandataire.id])
    return site


def delete_site(session: Session, *, mandataire: Mandataire, site_id: int) -> None:
    site = _site_of(mandataire, site_id)
    if site.mesures_en_cours or site.mesures_en_attente:
        raise SiteInUse("ce site porte encore des mesures : rattachez-les à un autre site d'abord")
    mandataire.sites.remove(site)
    session.flush()


def check_remplacant(session: Session, mandataire: Mandataire, remplacant: int | None, loc: list) -> None:
    if remplacant is not None and (remplacant == mandataire.id or session.get(Mandataire, remplacant) is None):
        raise UnknownMandataire(f"remplaçant inconnu : {remplacant}", loc=[*loc, "remplacant"])


def check_no_overlap(mandataire: Mandataire, absence: Absence, loc: list) -> None:
    """Absences of one professional never overlap: a judge must be able to tell who is away when."""
    for other in mandataire.absences:
        if other is not absence and absence.debut <= other.fin and other.debut <= absence.fin:
            raise OverlappingAbsences(
                f"l'absence du {absence.debut:%d/%m/%Y} au {absence.fin:%d/%m/%Y} chevauche celle du "
                f"{other.debut:%d/%m/%Y} au {other.fin:%d/%m/%Y} : modifiez ou supprimez l'une des deux",
                loc=loc,
            )


def _add_absence(session: Session, mandataire: Mandataire, payload: AbsenceIn, loc: list) -> Absence:
    check_remplacant(session, mandataire, payload.remplacant, loc)
    absence = Absence(
        mandataire_id=mandataire.id,
        debut=payload.debut,
        fin=payload.fin,
        motif=payload.motif,
        remplacant_id=payload.remplacant,
    )
    mandataire.absences.append(absence)
    check_no_overlap(mandataire, absence, loc)
    mandataire.derniere_mise_a_jour = utcnow()
    session.flush()
    return absence


def add_absence(session: Session, *, mandataire: Mandataire, payload: AbsenceIn) -> Absence:
    return _add_absence(session, mandataire, payload, ["body"])


def delete_absence(session: Session, *, mandataire: Mandataire, absence_id: int) -> None:
    for absence in mandataire.absences:
        if absence.id == absence_id:
            mandataire.absences.remove(absence)
            mandataire.derniere_mise_a_jour = utcnow()
            session.flush()
            return
    raise AbsenceNotOwned(f"absence {absence_id} introuvable pour ce mandataire", loc=["path", "absence_id"])


# --- establishments --------------------------------------------------------------------------------


def get_etablissement(session: Session, *, etablissement_id: int) -> Etablissement:
    etablissement = session.get(Etablissement, etablissement_id)
    if etablissement is None:
        raise EtablissementNotFound(f"établissement introuvable : {etablissement_id}", loc=["path", "etablissement_id"])
    return etablissement


def create_etablissement(
    session: Session, *, principal: Principal, gazetteer: Gazetteer, payload: EtablissementIn
) -> Etablissement:
    departement, lat, lon = commune_point(gazetteer, payload.insee, ["body", "insee"])
    if not principal.covers_departements({departement}):
        raise OutsideTerritory("cet établissement est hors de votre territoire")
    if session.scalar(select(Etablissement.id).where(Etablissement.finess == payload.finess)) is not None:
        raise FinessTaken(f"FINESS déjà enregistré : {payload.finess}", loc=["body", "finess"])
    etablissement = Etablissement(
        **payload.model_dump(), nom_recherche=normalize_name(payload.nom), departement=departement, lat=lat, lon=lon
    )
    session.add(etablissement)
    session.flush()
    return etablissement


def update_etablissement(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    etablissement: Etablissement,
    payload: EtablissementPatch,
) -> Etablissement:
    check_version(etablissement.version, payload.version)
    if not principal.covers_departements({etablissement.departement}):
        raise OutsideTerritory("cet établissement est hors de votre territoire")
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "insee" in changes:
        etablissement.departement, etablissement.lat, etablissement.lon = commune_point(
            gazetteer, changes["insee"], ["body", "insee"]
        )
        if not principal.covers_departements({etablissement.departement}):
            raise OutsideTerritory("cet établissement serait hors de votre territoire")
    if "nom" in changes:
        etablissement.nom_recherche = normalize_name(changes["nom"])
    for field, value in changes.items():
        setattr(etablissement, field, value)
    session.flush()
    return etablissement


# --- measures --------------------------------------------------------------------------------------


def get_mesure(session: Session, *, principal: Principal, mesure_id: int, for_update: bool = False) -> Mesure:
    mesure = session.get(Mesure, mesure_id, with_for_update={"of": Mesure} if for_update else None)
    if mesure is None or not principal.can_read_mesure(
        mesure.mandataire_id, mesure.tribunal_id, mesure.tribunal.departement
    ):
        raise MesureNotFound(f"mesure introuvable : {mesure_id}", loc=["path", "mesure_id"])
    return mesure


def get_writable_mesure(session: Session, *, principal: Principal, mesure_id: int) -> Mesure:
    """The measure a route is about to change, its row locked first (the lock order of `app.registry.load`)."""
    mesure = get_mesure(session, principal=principal, mesure_id=mesure_id, for_update=True)
    if not principal.can_write_mesure(mesure.mandataire_id):
        raise Forbidden("seul le mandataire de la mesure (ou un administrateur) la modifie")
    if mesure.editor_id is not None:
        # As e-MJPM: a measure that business software sends is kept in that software, never edited by hand here.
        raise MesureKeptBySoftware(
            f"mesure {mesure.id} tenue par un logiciel métier (éditeur {mesure.editor_id}) : "
            "modifiez-la dans ce logiciel"
        )
    return mesure


def place_of(locator: Locator, residence: Residence) -> dict:
    """What a measure keeps of the person's residence: the commune, never a street or a point."""
    location = locator.locate(residence, loc=["body", "residence"])
    if location.pays == "BE" and location.commune_belge is not None:
        return {
            "pays": "BE",
            "nis": location.commune_belge.nis,
            "code_postal": residence.code_postal,
            "commune": location.commune_belge.nom_fr,
            "insee": None,
            "departement": None,
        }
    return {
        "pays": "FR",
        "insee": location.commune.insee if location.commune else None,
        "code_postal": residence.code_postal,
        "commune": location.commune.nom if location.commune else residence.commune,
        "nis": None,
        "departement": location.departement.code if location.departement else None,
    }


def title_refusal(
    mandataire_id: int, dpf: bool, natures: Collection[str], nature: str
) -> tuple[type[InvalidInput], str] | None:
    """Why a professional's title does not cover a measure of this nature (the error's class, its French message),
    None when it does. The same codes in the same order as the engine's rules (`engine.failing_rules`): MJAGBF
    without DPF first, then a nature outside the title."""
    if nature == Nature.MJAGBF and not dpf:
        return MjagbfWithoutDpf, "la MJAGBF est réservée aux délégués aux prestations familiales"
    if nature not in natures:
        label = labels.label(labels.NATURES, nature)
        return NatureNotCovered, f"le titre du mandataire {mandataire_id} ne couvre pas la nature « {label} »"
    return None


def _check_mesure_refs(
    session: Session, mandataire: Mandataire, nature: str, site_id: int | None, etablissement_id: int | None
) -> None:
    refusal = title_refusal(mandataire.id, mandataire.dpf, {n.nature for n in mandataire.natures}, nature)
    if refusal is not None:
        error, message = refusal
        raise error(message, loc=["body", "nature"])
    if site_id is not None and site_id not in {s.id for s in mandataire.sites}:
        raise UnknownSite(f"site {site_id} inconnu pour ce mandataire", loc=["body", "site"])
    if etablissement_id is not None and session.get(Etablissement, etablissement_id) is None:
        raise UnknownEtablissement(f"établissement inconnu : {etablissement_id}", loc=["body", "etablissement"])


def _mesure_mandataire(session: Session, principal: Principal, mandataire_id: int | None) -> Mandataire:
    mandataire_id = mandataire_id if mandataire_id is not None else principal.mandataire_id
    if mandataire_id is None:
        raise MissingField("mandataire : obligatoire", loc=["body", "mandataire"])
    if not principal.can_write_mesure(mandataire_id):
        raise Forbidden("vous ne pouvez déclarer des mesures que pour vous-même")
    mandataire = session.get(Mandataire, mandataire_id)
    if mandataire is None:
        raise UnknownMandataire(f"mandataire inconnu : {mandataire_id}", loc=["body", "mandataire"])
    return mandataire


def check_not_kept(mandataire: Mandataire) -> None:
    """As e-MJPM (`editor_locked_mesures`): once a vendor's software writes a professional's measures, its measures
    are declared in that software, not by hand here (a declaration or a spreadsheet)."""
    if mandataire.editor_id is not None:
        raise MesuresKeptBySoftware(
            f"les mesures du mandataire {mandataire.id} sont tenues par un logiciel métier (éditeur "
            f"{mandataire.editor_id}) : déclarez-les dans ce logiciel, ou retirez-lui l'accès pour les saisir ici"
        )


def keep_by_editor(
    session: Session, *, mandataire_id: int, editor_id: int | None, only_from: int | None = None
) -> None:
    """Mark the professional whose measures a vendor's software keeps (`editor_id`), or release it (None; with
    `only_from`, only if that vendor held it)."""
    query = update(Mandataire).where(Mandataire.id == mandataire_id, Mandataire.editor_id.is_distinct_from(editor_id))
    if only_from is not None:
        query = query.where(Mandataire.editor_id == only_from)
    session.execute(query.values(editor_id=editor_id))


def create_mesure(
    session: Session,
    *,
    principal: Principal,
    gazetteer: Gazetteer,
    locator: Locator,
    settings: Settings,
    payload: MesureCreate,
) -> Mesure:
    mandataire = _mesure_mandataire(session, principal, payload.mandataire)
    check_not_kept(mandataire)
    tribunal = resolve_tribunal(session, gazetteer, payload.tribunal, ["body", "tribunal"])
    return add_mesure(
        session,
        settings=settings,
        mandataire=mandataire,
        tribunal=tribunal,
        place=place_of(locator, payload.residence),
        site_id=payload.site,
        etablissement_id=payload.etablissement,
        fields=payload.model_dump(exclude={"mandataire", "site", "tribunal", "residence", "etablissement"}),
    )


def add_mesure(
    session: Session,
    *,
    settings: Settings,
    mandataire: Mandataire,
    tribunal: Tribunal,
    place: dict,
    site_id: int | None,
    etablissement_id: int | None,
    fields: dict,
    guard_capacity: bool = False,
) -> Mesure:
    """The one way a measure enters the registry (declared by a professional or reserved by a judge)."""
    numero_rg = fields["numero_rg"]
    existing = session.scalar(select(Mesure.id).where(Mesure.tribunal_id == tribunal.id, Mesure.numero_rg == numero_rg))
    if existing is not None:
        raise NumeroRgTaken(
            f"numéro RG {numero_rg} déjà enregistré pour ce tribunal",
            loc=["body", "numero_rg"],
        )
    _check_mesure_refs(session, mandataire, fields["nature"], site_id, etablissement_id)
    mesure = Mesure(
        **fields,
        **place,
        mandataire_id=mandataire.id,
        site_id=site_id,
        tribunal_id=tribunal.id,
        etablissement_id=etablissement_id,
        poids=measure_weight(
            fields["nature"],
            fields["lieu_vie"],
            place["pays"],
            weights=settings.workload_weights,
            belgian_factor=settings.belgian_workload_factor,
        ),
    )
    session.add(mesure)
    session.flush()
    apply_load_change(session, None, LoadShare.of(mesure), guard_capacity=guard_capacity)
    apply_yearly_change(session, None, YearlyShare.of(mesure))
    return mesure


def update_mesure(
    session: Session,
    *,
    principal: Principal,
    locator: Locator,
    settings: Settings,
    mesure: Mesure,
    payload: MesureUpdate,
) -> Mesure:
    check_version(mesure.version, payload.version)
    before, yearly = LoadShare.of(mesure), YearlyShare.of(mesure)
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "residence"})
    mandataire = _mesure_mandataire(session, principal, changes.pop("mandataire", mesure.mandataire_id))
    if "mandataire" in payload.model_fields_set and mandataire.id != mesure.mandataire_id and "site" not in changes:
        changes["site"] = None  # a site belongs to the previous professional
    site_id = changes.pop("site", mesure.site_id)
    etablissement_id = changes.pop("etablissement", mesure.etablissement_id)
    _check_mesure_refs(session, mandataire, changes.get("nature", mesure.nature), site_id, etablissement_id)
    if payload.residence is not None:
        changes.update(place_of(locator, payload.residence))
    if changes.get("statut") in ACTIVE_STATUTS:
        # A reopened measure is no longer closed: its exit cause and end date go unless restated.
        changes.setdefault("cause_sortie", None)
        changes.setdefault("date_fin_mesure", None)
    for field, value in changes.items():
        setattr(mesure, field, value)
    mesure.mandataire_id, mesure.site_id, mesure.etablissement_id = mandataire.id, site_id, etablissement_id
    if mesure.statut == "eteinte" and not mesure.cause_sortie:
        raise MissingField("cause_sortie : obligatoire pour une mesure éteinte", loc=["body", "cause_sortie"])
    mesure.poids = measure_weight(
        mesure.nature,
        mesure.lieu_vie,
        mesure.pays,
        weights=settings.workload_weights,
        belgian_factor=settings.belgian_workload_factor,
    )
    session.flush()
    apply_load_change(session, before, LoadShare.of(mesure))
    apply_yearly_change(session, yearly, YearlyShare.of(mesure))
    return mesure


def delete_mesure(session: Session, *, mesure: Mesure) -> None:
    share, yearly = LoadShare.of(mesure), YearlyShare.of(mesure)
    session.delete(mesure)
    session.flush()  # the measure's row before the counters (lock order of app.registry.load)
    apply_load_change(session, share, None)
    apply_yearly_change(session, yearly, None)


def mesures_query(principal: Principal, *, q: str | None = None, **filters) -> Select:
    """The measures the caller may read, filtered on exact values (`statut=...`) and on a search `q`: the start
    of the RG or file number, or a part of the commune's name (case-insensitive)."""
    query = select(Mesure).where(repository.mesure_scope(principal))
    for field, value in filters.items():
        if value is not None:
            query = query.where(getattr(Mesure, field) == value)
    if q:
        query = query.where(
            # RG numbers are stored normalised ("24/NAV" finds 24NAV001)
            Mesure.numero_rg.istartswith(rg.normalize(q) or q, autoescape=True)
            | Mesure.numero_dossier.istartswith(q, autoescape=True)
            | Mesure.commune.icontains(q, autoescape=True)
        )
    return query


def list_mesures(session: Session, *, principal: Principal, limit: int, offset: int, **filters):
    query = mesures_query(principal, **filters)
    return repository.page(session, query, order_by=(Mesure.id,), limit=limit, offset=offset)


def list_etablissements(session: Session, *, departement: str | None, q: str | None, limit: int, offset: int):
    query = select(Etablissement)
    if departement is not None:
        query = query.where(Etablissement.departement == departement)
    if q:
        query = query.where(
            Etablissement.nom_recherche.contains(normalize_name(q), autoescape=True) | (Etablissement.finess == q)
        )
    return repository.page(session, query, order_by=(Etablissement.nom, Etablissement.id), limit=limit, offset=offset)


# --- a professional's full-time equivalents per year -----------------------------------------------------------


def etp_of(session: Session, *, mandataire: Mandataire) -> list[EtpService]:
    return list(
        session.scalars(select(EtpService).where(EtpService.mandataire_id == mandataire.id).order_by(EtpService.annee))
    )


def set_etp(session: Session, *, mandataire: Mandataire, annee: int, etp: float) -> EtpService:
    """Declare (or correct) a professional's ETP for a year. Services declare theirs (the dashboards' measures per
    ETP); any professional may, a préposé's or an individual's office being counted the same way."""
    return repository.upsert_etp(session, mandataire_id=mandataire.id, annee=annee, etp=etp, now=utcnow())
