"""The readers `imr_dashboard/settings.py` uses, a concern each, so that the settings module
reads as the list of settings: `environment` (the environment, secrets from NAME or NAME_FILE),
`services` (database, cache and file storage), `headers` (the Content Security Policy),
`email` (the email server from EMAIL_URL or the EMAIL_* variables) and `sign_in` (single
sign-on's checks). Every error names the variable to set, as the settings did.
"""
