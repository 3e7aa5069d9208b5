"""What every layer shares: problems, the spec base, the version lock, metadata, security defaults, registration."""
