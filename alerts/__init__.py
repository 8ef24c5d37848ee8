"""Alerts to the site's administrators: a failed refresh, overdue figures, email that fails."""
