"""Labs, the paying customers: their accounts, API keys, command line and page."""
