"""The professionals' own space: availability declarations, bulk measures from business software (e-MJPM's
vendor API shape) and spreadsheet imports, rate-limited per token."""
