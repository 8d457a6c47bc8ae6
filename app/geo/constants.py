"""Codes of the reference geography, declared once."""

# A département code: two digits, Corsica's 2A and 2B, or an overseas département (971 to 976).
DEPARTEMENT_PATTERN = r"^(\d{2}|2[AB]|97[1-6])$"
