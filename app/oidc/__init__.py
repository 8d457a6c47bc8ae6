"""Sign-in with OpenID Connect, the relying party's side (ProConnect in production): the authorization code flow
with PKCE, the provider's signed answers checked, the identity they carry. No account, no session: the pages
(app/web) hand the identity to the accounts and open the session."""
