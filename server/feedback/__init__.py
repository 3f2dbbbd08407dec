"""Feedback ingest, de-duplication, history, edit and withdrawal."""
