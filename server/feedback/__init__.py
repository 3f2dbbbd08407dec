"""Feedback ingest, de-duplication, history and near-duplicate text clusters."""
