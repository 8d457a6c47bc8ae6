"""Vendors (éditeurs) of the professionals' business software: registered by administrators, approved by a
professional through OAuth2 (authorization code, refresh token, revocation, as e-MJPM does it), rate-limited per
vendor and with every call logged."""
