"""Connecting to a seller's Etsy account: OAuth 2.0 with PKCE and a loopback redirect.

``flow`` runs the authorization, ``listener`` receives the redirect on 127.0.0.1 / ::1,
``pages`` holds what the browser shows and the typed errors, ``tokens`` refreshes and
exchanges tokens (Etsy rotates the refresh token on every refresh).
"""
