"""The caller's own resources under /api/v1/me: profile, earnings, contributions."""
