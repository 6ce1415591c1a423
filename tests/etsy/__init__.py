"""Tests for the Etsy API v3 client (a package so tests can share ``helpers``)."""
