from app.errors import InvalidInput


class CommuneHorsTerritoire(InvalidInput):
    default_code = "commune_hors_territoire"


class MandataireHorsTerritoire(InvalidInput):
    default_code = "mandataire_hors_territoire"


class SimulationTropGrande(InvalidInput):
    """More arrivals than a simulation may replay: a guard for the process's memory and time."""

    default_code = "simulation_trop_grande"
