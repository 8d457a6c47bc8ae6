"""Notifications: a transactional outbox written with the business event, delivered later by a dispatcher."""
