"""The interactive API reference at /api/docs, served from a pinned local Swagger UI."""
