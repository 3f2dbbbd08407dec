"""Sign-in with Ethereum, tokens, devices and roles."""
