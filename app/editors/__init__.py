"""e-MJPM's vendor API ("API éditeurs") at its own paths: business software written for e-MJPM connects by
changing its base URL. The measures go through the professionals' batch engine, as `POST /mesures/lot` does."""
