"""Disclosure control of local data by audience (pure)."""
