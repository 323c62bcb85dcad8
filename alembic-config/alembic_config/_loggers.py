"""The names of alembic-config's public loggers (importing this module imports nothing else)."""

# discovery's warnings (a failed service, a conflict) and, at debug level, every service loaded:
# a program that reports failures and conflicts itself can quiet this logger
DISCOVERY_LOGGER = "alembic_config.discovery"
