"""Repository tooling that is not shipped in any package."""
