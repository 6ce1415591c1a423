"""Tests of the GUI read models (etsysync_gui.queries), without Qt."""
