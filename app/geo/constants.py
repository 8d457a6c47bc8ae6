"""Codes of the reference geography, declared once."""

# A département code: two digits, Corsica's 2A and 2B, or an overseas département (971 to 976).
DEPARTEMENT_PATTERN = r"^(\d{2}|2[AB]|97[1-6])$"
# A commune's INSEE code: five digits, or Corsica's 2A or 2B and three digits.
INSEE_PATTERN = r"^(\d{5}|2[AB]\d{3})$"
