"""Synthetic demo data (`mjpm seed`, `mjpm demo`): above every domain, which it may all import; none imports it."""
