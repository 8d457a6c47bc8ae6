"""Token issuance (`mjpm token create|list|revoke`): checks a token's scope against the registry, so it sits
above it; request-time authentication stays in `app.auth`, which imports no registry."""
