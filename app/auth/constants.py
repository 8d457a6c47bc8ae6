from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    MAGISTRAT = "magistrat"
    GREFFIER = "greffier"
    MANDATAIRE = "mandataire"


JUDICIAL_ROLES = frozenset({Role.MAGISTRAT, Role.GREFFIER})
