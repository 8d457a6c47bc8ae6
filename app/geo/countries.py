"""Countries by their ISO 3166-1 alpha-2 code. Pure code over pycountry's table (loaded on first use).

The check is e-MJPM's (`isISO31661Alpha2` of validator.js on `etats.*.pays`): one of the 249 assigned codes,
in any case; a code of the right shape that no country holds ("XX", "UK") is refused."""

from functools import cache

import pycountry


@cache
def is_country(code: str) -> bool:
    """`code` (any case) is an assigned ISO 3166-1 alpha-2 code."""
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None
