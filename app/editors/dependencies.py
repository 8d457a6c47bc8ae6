"""Who calls the vendor API: the professional (mandataire) a vendor's software acts for.

PROVISIONAL: until the vendors' OAuth2 server lands (`app/vendors`, its `EditorCaller` dependency resolving a
vendor's access token), a professional's own API token stands for it, and the token's id for the vendor's (the
measures it sends are locked against hand edits under that id). The swap is the one line marked below.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.auth.constants import Role
from app.auth.principal import Principal
from app.professionals.ratelimit import limited


@dataclass(frozen=True, slots=True)
class Caller:
    mandataire_id: int
    editor_id: int  # the vendor whose software calls
    principal: Principal  # the professional, as the registry's rules see it


def provisional_caller(principal: Annotated[Principal, Depends(limited("mesures", Role.MANDATAIRE))]) -> Caller:
    assert principal.mandataire_id is not None  # a mandataire token names its professional
    return Caller(mandataire_id=principal.mandataire_id, editor_id=principal.token_id, principal=principal)


EditorCaller = Annotated[Caller, Depends(provisional_caller)]  # swap: app.vendors.dependencies.EditorCaller
