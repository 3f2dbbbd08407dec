"""Feedback ingest, de-duplication, history and clusters."""
