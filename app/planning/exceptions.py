from app.errors import InvalidInput


class CommuneHorsTerritoire(InvalidInput):
    default_code = "commune_hors_territoire"


class MandataireHorsTerritoire(InvalidInput):
    default_code = "mandataire_hors_territoire"
