from app.errors import InvalidInput


class AucuneMesureObservee(InvalidInput):
    """No measure opened in the territory last year: the arrivals have nothing to be drawn from."""

    default_code = "aucune_mesure_observee"


class CommuneHorsTerritoire(InvalidInput):
    default_code = "commune_hors_territoire"


class MandataireHorsTerritoire(InvalidInput):
    default_code = "mandataire_hors_territoire"


class SimulationTropGrande(InvalidInput):
    """More arrivals than a simulation may replay: a guard for the process's memory and time."""

    default_code = "simulation_trop_grande"


class TerritoireTropEtendu(InvalidInput):
    """A proposal compares every commune with every other: beyond a région, the matrix outgrows the process."""

    default_code = "territoire_trop_etendu"
