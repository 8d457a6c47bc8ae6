"""Offline reference geography: communes, territories, Belgian municipalities, tribunals, distances."""
