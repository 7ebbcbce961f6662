"""Turn understanding: intents, slots, references — what a shopper's message means."""
