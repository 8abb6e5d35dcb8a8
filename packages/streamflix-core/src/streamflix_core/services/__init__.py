"""Core's writes: accounts, tokens, avatars and viewer profiles (keyword-only, transactional)."""
