"""The simulation's vocabulary that the command line's options name (no import beyond the standard library)."""

from typing import Literal

# The breakdown of a simulation by région or département.
Detail = Literal["region", "departement"]
