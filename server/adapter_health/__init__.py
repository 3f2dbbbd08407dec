"""Anonymous adapter-health events from the extension: which site's markup stopped matching."""
