"""RG numbers (numéro du répertoire général of a tribunal), one spelling everywhere: "22r-00032", "22 R 00032" and
"22R00032" are the same case. Pure code, applied at every edge where a number comes in (API, batches, imports,
reservations, the list filter), so that a number is stored and compared in one form.

e-MJPM's rule is the same (letters and digits, uppercase); its vendor API's `strictNumeroRG` further asks for
exactly 8 characters, which `is_strict` checks. e-MJPM also cuts or pads numbers to 8 characters: this service
keeps the whole number, since cutting would make "RG234534534" and "RG234534999" one case.
"""

import re

NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
STRICT_LENGTH = 8


def normalize(value: str) -> str:
    """Uppercase letters and digits only."""
    return NOT_ALPHANUMERIC.sub("", value).upper()


def is_strict(value: str) -> bool:
    """Exactly 8 uppercase letters or digits, as sent (e-MJPM's `strictNumeroRG`)."""
    return len(value) == STRICT_LENGTH and normalize(value) == value
