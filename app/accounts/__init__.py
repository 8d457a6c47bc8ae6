"""People's accounts: managed by admins and agents (`/comptes`), invited by e-mail through the outbox. Sign-in
lookups and sessions stay in `app.auth`; this package checks scopes against the registry, so it sits above it."""
