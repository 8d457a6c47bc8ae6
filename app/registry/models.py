"""ORM models of the registry: professionals, their sites, establishments, absences and measures.

Load counters (`mesures_en_cours`, `charge_en_cours`...) live on the professional and on the site, and per
professional and département where its measures are worked in `ChargeDepartement`; they are changed only by
`app.registry.load`, in the transaction that changes the measure.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base, UTCDateTime, utcnow
from app.geo.models import Tribunal
from app.registry.constants import EPOCH, RECENT_COUNT_HOLDS


class LoadCounters:
    """Counts and weighted load of the measures that hold capacity (in progress and pending)."""

    mesures_en_cours: Mapped[int] = mapped_column(Integer, default=0)
    mesures_en_attente: Mapped[int] = mapped_column(Integer, default=0)
    charge_en_cours: Mapped[float] = mapped_column(Float, default=0.0)
    charge_en_attente: Mapped[float] = mapped_column(Float, default=0.0)


class Mandataire(LoadCounters, Base):
    __tablename__ = "mandataire"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    dpf: Mapped[bool] = mapped_column(Boolean, default=False)
    nom: Mapped[str] = mapped_column(String(200))
    nom_recherche: Mapped[str] = mapped_column(String(200), index=True)
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    telephone: Mapped[str | None] = mapped_column(String(30))
    statut: Mapped[str] = mapped_column(String(20), index=True)
    statut_depuis: Mapped[date | None] = mapped_column(Date)
    statut_jusqu_au: Mapped[date | None] = mapped_column(Date)
    langues: Mapped[list[str]] = mapped_column(JSON, default=list)
    rayon_km: Mapped[int | None] = mapped_column(Integer)
    capacite: Mapped[int] = mapped_column(Integer)
    capacite_autorisee: Mapped[int | None] = mapped_column(Integer)
    accepte_nouvelles_mesures: Mapped[bool] = mapped_column(Boolean, default=True)
    motif_nouvelles_mesures: Mapped[str | None] = mapped_column(String(500))
    # The vendor whose software keeps this professional's measures (e-MJPM's `editor_locked_mesures`): set by the
    # vendor API's writes; no measure is then declared or imported by hand (`registry.service.check_not_kept`).
    editor_id: Mapped[int | None] = mapped_column(Integer)
    derniere_mise_a_jour: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its designations of the last RECENT_DESIGNATION_DAYS, kept by `app.registry.load`: exact at any instant from
    # `depuis` until `jusqu_au` (the count only falls as time passes, when its oldest designation leaves the
    # window), a day at most; NULL `jusqu_au`, or any instant outside, and readers count the measures instead. A
    # new professional has no measure: 0 holds from any instant.
    designations_recentes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    designations_recentes_depuis: Mapped[datetime | None] = mapped_column(UTCDateTime, default=lambda: EPOCH)
    designations_recentes_jusqu_au: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=lambda: utcnow() + RECENT_COUNT_HOLDS
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    natures: Mapped[list["MandataireNature"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    departements: Mapped[list["MandataireDepartement"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    tribunaux: Mapped[list["MandataireTribunal"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    specialites: Mapped[list["MandataireSpecialite"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    sites: Mapped[list["Site"]] = relationship(
        back_populates="mandataire", cascade="all, delete-orphan", lazy="selectin", order_by="Site.id"
    )
    absences: Mapped[list["Absence"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Absence.debut", foreign_keys="Absence.mandataire_id"
    )
    etablissements: Mapped[list["Etablissement"]] = relationship(
        secondary="mandataire_etablissement", lazy="selectin", order_by="Etablissement.id"
    )

    __mapper_args__ = {"version_id_col": version}


class MandataireNature(Base):
    __tablename__ = "mandataire_nature"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    nature: Mapped[str] = mapped_column(String(40), primary_key=True)


class MandataireDepartement(Base):
    __tablename__ = "mandataire_departement"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    departement: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class MandataireTribunal(Base):
    """Restriction of a listing to named tribunal ressorts (an MI listed only for some tribunals)."""

    __tablename__ = "mandataire_tribunal"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    tribunal_id: Mapped[int] = mapped_column(ForeignKey("tribunal.id"), primary_key=True, index=True)

    tribunal: Mapped[Tribunal] = relationship(lazy="selectin")


class MandataireSpecialite(Base):
    __tablename__ = "mandataire_specialite"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    specialite: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Site(LoadCounters, Base):
    """A place a professional works from: a service's antenne, an MI's office, a préposé's establishment."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), index=True)
    nom: Mapped[str] = mapped_column(String(200))
    insee: Mapped[str] = mapped_column(String(5))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacite: Mapped[int | None] = mapped_column(Integer)

    mandataire: Mapped[Mandataire] = relationship(back_populates="sites")


class ChargeDepartement(Base):
    """A professional's measures of one status (in progress or pending) worked in one département, that of the
    measure's antenne, else of its tribunal, and how many of them are tutelles: the dashboards of where
    professionals work read them instead of grouping every measure at each request."""

    __tablename__ = "charge_departement"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    statut: Mapped[str] = mapped_column(String(20), primary_key=True)
    mesures: Mapped[int] = mapped_column(Integer, default=0)
    tutelles: Mapped[int] = mapped_column(Integer, default=0)


class EtpService(Base):
    """The full-time equivalents (ETP) a service declares for a year: the denominator of its measures per ETP."""

    __tablename__ = "etp_service"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    etp: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Etablissement(Base):
    __tablename__ = "etablissement"

    id: Mapped[int] = mapped_column(primary_key=True)
    finess: Mapped[str] = mapped_column(String(9), unique=True)
    nom: Mapped[str] = mapped_column(String(200))
    nom_recherche: Mapped[str] = mapped_column(String(200), index=True)
    insee: Mapped[str] = mapped_column(String(5))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    categorie: Mapped[str] = mapped_column(String(40))
    public: Mapped[bool] = mapped_column(Boolean)
    places_permanentes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class MandataireEtablissement(Base):
    """Establishments a préposé covers, its own or by convention."""

    __tablename__ = "mandataire_etablissement"

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    etablissement_id: Mapped[int] = mapped_column(ForeignKey("etablissement.id"), primary_key=True, index=True)


class Absence(Base):
    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), index=True)
    debut: Mapped[date] = mapped_column(Date)
    fin: Mapped[date] = mapped_column(Date)
    motif: Mapped[str] = mapped_column(String(30))
    remplacant_id: Mapped[int | None] = mapped_column(ForeignKey("mandataire.id", ondelete="SET NULL"))


class Mesure(Base):
    __tablename__ = "mesure"
    __table_args__ = (
        UniqueConstraint("tribunal_id", "numero_rg"),
        Index("ix_mesure_mandataire_statut", "mandataire_id", "statut"),
        # Recent designations per professional (equity criterion of the matching): by designation date, else by entry.
        Index("ix_mesure_mandataire_date_nomination", "mandataire_id", "date_nomination", "created_at"),
        # Monthly flows of the dashboards: range scans that cover the type and territory joins; with the status and
        # the other date, the year so far of the measures in progress at a date (`app.targets.actual`).
        Index(
            "ix_mesure_date_nomination", "date_nomination", "mandataire_id", "tribunal_id", "statut", "date_fin_mesure"
        ),
        Index(
            "ix_mesure_date_fin_mesure", "date_fin_mesure", "mandataire_id", "tribunal_id", "statut", "date_nomination"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"), index=True)
    tribunal_id: Mapped[int] = mapped_column(ForeignKey("tribunal.id"), index=True)
    numero_rg: Mapped[str] = mapped_column(String(30))
    numero_dossier: Mapped[str | None] = mapped_column(String(50))
    nature: Mapped[str] = mapped_column(String(40), index=True)
    champ: Mapped[str | None] = mapped_column(String(20))
    lieu_vie: Mapped[str] = mapped_column(String(40))
    pays: Mapped[str] = mapped_column(String(2), index=True)
    insee: Mapped[str | None] = mapped_column(String(5))
    code_postal: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(String(100))
    nis: Mapped[str | None] = mapped_column(String(5))
    departement: Mapped[str | None] = mapped_column(String(3), index=True)
    etablissement_id: Mapped[int | None] = mapped_column(ForeignKey("etablissement.id"), index=True)
    civilite: Mapped[str | None] = mapped_column(String(10))
    annee_naissance: Mapped[int | None] = mapped_column(Integer)
    date_nomination: Mapped[date | None] = mapped_column(Date)
    date_fin_mesure: Mapped[date | None] = mapped_column(Date)
    cause_sortie: Mapped[str | None] = mapped_column(String(40))
    # What e-MJPM's vendor API keeps besides (kept for the vendors who read it back).
    date_premier_mesure: Mapped[date | None] = mapped_column(Date)
    date_protection_en_cours: Mapped[date | None] = mapped_column(Date)
    resultat_revision: Mapped[str | None] = mapped_column(String(40))
    cabinet: Mapped[str | None] = mapped_column(String(50))
    type_etablissement: Mapped[str | None] = mapped_column(String(40))
    # The vendor (business software) that sent the measure: set, the measure is edited in that software only.
    editor_id: Mapped[int | None] = mapped_column(Integer)
    statut: Mapped[str] = mapped_column(String(20), index=True)
    poids: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)

    tribunal: Mapped[Tribunal] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class MesureEtat(Base):
    """One state of a measure's history as business software sent it (e-MJPM's `etats`), in e-MJPM's codes; the
    latest one is also flattened onto the measure (nature, champ, lieu de vie, residence)."""

    __tablename__ = "mesure_etat"

    id: Mapped[int] = mapped_column(primary_key=True)
    mesure_id: Mapped[int] = mapped_column(ForeignKey("mesure.id", ondelete="CASCADE"), index=True)
    date_changement_etat: Mapped[date | None] = mapped_column(Date)
    nature_mesure: Mapped[str | None] = mapped_column(String(40))
    champ_mesure: Mapped[str | None] = mapped_column(String(40))
    lieu_vie: Mapped[str | None] = mapped_column(String(40))
    code_postal: Mapped[str | None] = mapped_column(String(10))
    ville: Mapped[str | None] = mapped_column(String(100))
    pays: Mapped[str | None] = mapped_column(String(2))
    type_etablissement: Mapped[str | None] = mapped_column(String(40))
    etablissement_siret: Mapped[str | None] = mapped_column(String(14))


class MesureRessource(Base):
    """A year of the protected person's resources (e-MJPM's `ressources`)."""

    __tablename__ = "mesure_ressource"

    id: Mapped[int] = mapped_column(primary_key=True)
    mesure_id: Mapped[int] = mapped_column(ForeignKey("mesure.id", ondelete="CASCADE"), index=True)
    annee: Mapped[int | None] = mapped_column(Integer)
    niveau_ressource: Mapped[int | None] = mapped_column(Integer)
    prestations_sociales: Mapped[list[str]] = mapped_column(JSON, default=list)


class MesureEvenementAnnuel(Base):
    """How many measures opened, ended and left the stock in a year, per département of the tribunal, type of the
    professional and nature: the yearly statistics counted at each write (`app.registry.statistics`), so that
    the yearly tables never scan the register."""

    __tablename__ = "mesure_evenement_annuel"
    # Clustered on its key (SQLite: WITHOUT ROWID) in the order the tables sum it, so that a GROUP BY on its first
    # columns reads the rows in order instead of sorting them; a table of a few natures (DPF) reads their rows alone
    # by the nature index, which carries every column.
    __table_args__ = (
        Index(
            "ix_mesure_evenement_annuel_nature",
            "nature",
            "annee",
            "departement",
            "type",
            "evenement",
            "cause",
            "nombre",
        ),
        {"sqlite_with_rowid": False},
    )

    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    evenement: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The exit cause of an end ('' for the other events and an end without cause: part of the key).
    cause: Mapped[str] = mapped_column(String(40), primary_key=True)
    nature: Mapped[str] = mapped_column(String(40), primary_key=True)
    nombre: Mapped[int] = mapped_column(Integer)


class MesuresAnnee(Base):
    """The yearly counters (`MesureEvenementAnnuel`) summed over the natures, one column per event and exit cause,
    kept by the same writes (`app.registry.statistics`): the yearly table of every nature reads one row per
    territory, type and year, with nothing to add up."""

    __tablename__ = "mesures_annee"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on its key: a territory's years together

    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    ouvertures: Mapped[int] = mapped_column(Integer)
    sorties: Mapped[int] = mapped_column(Integer)
    # Every end, whatever its cause; then the ends of each exit cause (`CauseSortie`): the rest had none.
    eteintes: Mapped[int] = mapped_column(Integer)
    eteintes_mainlevee: Mapped[int] = mapped_column(Integer)
    eteintes_deces: Mapped[int] = mapped_column(Integer)
    eteintes_caducite: Mapped[int] = mapped_column(Integer)
    eteintes_dessaisissement_famille: Mapped[int] = mapped_column(Integer)
    eteintes_dessaisissement_autre_mjpm: Mapped[int] = mapped_column(Integer)
    eteintes_transfert: Mapped[int] = mapped_column(Integer)
    eteintes_autre: Mapped[int] = mapped_column(Integer)


class MesureServiceAnnuel(Base):
    """How many measures of a service opened and left its stock in a year, per département of the tribunal and
    nature: the yearly counters of each service (`app.registry.statistics`), so that the measures per ETP of
    services read them instead of scanning the services' measures."""

    __tablename__ = "mesure_service_annuel"
    # Clustered on its key (SQLite: WITHOUT ROWID), a service's years together: a service's stock at 31 December
    # sums its rows up to that year; the DPF natures' rows are read alone by the nature index (every column).
    __table_args__ = (
        Index(
            "ix_mesure_service_annuel_nature",
            "nature",
            "departement",
            "mandataire_id",
            "annee",
            "ouvertures",
            "sorties",
        ),
        {"sqlite_with_rowid": False},
    )

    mandataire_id: Mapped[int] = mapped_column(ForeignKey("mandataire.id", ondelete="CASCADE"), primary_key=True)
    annee: Mapped[int] = mapped_column(Integer, primary_key=True)
    departement: Mapped[str] = mapped_column(String(3), primary_key=True)
    nature: Mapped[str] = mapped_column(String(40), primary_key=True)
    ouvertures: Mapped[int] = mapped_column(Integer)
    sorties: Mapped[int] = mapped_column(Integer)


class MesuresMois(Base):
    """How many measures were nominated (`ouvertes`) and ended (`eteintes`) in a month, per tribunal and type of the
    professional, whatever their status: the monthly flows counted at each write (`app.registry.statistics`), so
    that the flux table never scans the register."""

    __tablename__ = "mesures_mois"
    # Clustered on its key, months first (a period is one range), then the type: the national sums per (month,
    # type) read the rows in order instead of sorting them.
    __table_args__ = {"sqlite_with_rowid": False}

    mois: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    type: Mapped[str] = mapped_column(String(20), primary_key=True)
    tribunal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ouvertes: Mapped[int] = mapped_column(Integer)
    eteintes: Mapped[int] = mapped_column(Integer)
