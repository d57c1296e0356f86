"""Office configuration: one TOML file per office, loaded whole or refused precisely.

    from queue_server.config import load_office, ConfigError, DEMO_OFFICE_PATH
    office = load_office(DEMO_OFFICE_PATH)

See docs/configuration.md for every key.
"""

from queue_server.config.errors import ConfigError
from queue_server.config.loader import DEMO_OFFICE_PATH, PICTOGRAM_DIR, load_office

__all__ = ["DEMO_OFFICE_PATH", "PICTOGRAM_DIR", "ConfigError", "load_office"]
