"""Real local servers for integration tests (PostgreSQL, …), started on loopback ports."""
