"""The hazardous sector's world (``test_hazardous.world``), for the other test modules here."""

from tests.sectors.hazardous.test_hazardous import world  # noqa: F401
