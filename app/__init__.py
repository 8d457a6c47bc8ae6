"""mjpm-match: explained matching of mandataires judiciaires à la protection des majeurs."""
