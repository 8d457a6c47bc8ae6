from app.auth.exceptions import Forbidden
from app.errors import Conflict, InvalidInput, NotFound, StaleRow


class MandataireNotFound(NotFound):
    default_code = "mandataire_introuvable"


class MesureNotFound(NotFound):
    default_code = "mesure_introuvable"


class EtablissementNotFound(NotFound):
    default_code = "etablissement_introuvable"


class UnknownMandataire(InvalidInput):
    """A request names a professional the registry does not hold (or one the caller may not name there)."""

    default_code = "mandataire_inconnu"


class UnknownSite(InvalidInput):
    default_code = "site_inconnu"


class SiteNotOwned(InvalidInput):
    """A site id that is not one of this professional's."""

    default_code = "site_introuvable"


class AbsenceNotOwned(InvalidInput):
    """An absence id that is not one of this professional's."""

    default_code = "absence_introuvable"


class NumeroRgTaken(Conflict):
    """The tribunal already has a measure with this RG number."""

    default_code = "numero_rg_existant"


class UnknownEtablissement(InvalidInput):
    default_code = "etablissement_inconnu"


class StaleVersion(StaleRow):
    def __init__(self, current: int) -> None:
        super().__init__(
            f"version périmée : la fiche est à la version {current}, relisez-la puis recommencez",
            loc=["body", "version"],
        )


class NatureNotCovered(InvalidInput):
    default_code = "nature_non_couverte"


class NoFreePlace(Conflict):
    default_code = "complet"

    def __init__(self) -> None:
        super().__init__("plus aucune place libre chez ce mandataire (ou dans cette antenne)")


class MjagbfWithoutDpf(InvalidInput):
    """The MJAGBF nature is reserved to délégués aux prestations familiales."""

    default_code = "mjagbf_sans_dpf"


class SiretTaken(Conflict):
    default_code = "siret_existant"


class FinessTaken(Conflict):
    default_code = "finess_existant"


class ReservedField(Forbidden):
    """A field of the legal title that only State agents change."""

    default_code = "champ_reserve"


class SiteInUse(Conflict):
    """A site still carrying measures."""

    default_code = "site_occupe"


class OverlappingAbsences(InvalidInput):
    default_code = "absences_chevauchees"


class MesureKeptBySoftware(Conflict):
    """A measure that business software sends is kept in that software, never edited by hand here."""

    default_code = "mesure_verrouillee"


class MesuresKeptBySoftware(Conflict):
    """A professional whose measures business software writes declares them there, not by hand here."""

    default_code = "mesures_verrouillees"
