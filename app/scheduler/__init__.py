"""Scheduled work run by the service itself (expiry and reminders, notification delivery, audit purge), once per
period across every process, and the cross-process locks it and `mjpm db upgrade` rely on."""
