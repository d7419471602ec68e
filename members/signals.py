"""Signals other apps may listen to (members never imports them)."""
from django.dispatch import Signal

# Sent inside the transaction of members.services.end_dossier: dossier, on, by.
dossier_ended = Signal()
