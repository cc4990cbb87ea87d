"""The web pages' shared parts: layout, static assets, macros, i18n, sessions and CSRF."""
