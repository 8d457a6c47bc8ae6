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
