"""/api/v1/reward: scoring answers with the served reward model."""
