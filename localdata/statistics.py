"""Statistics on local data (pure)."""
