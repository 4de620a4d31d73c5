"""The rare earth sector's world (``world.world``), for the test modules here."""

from tests.sectors.rareearth.world import world  # noqa: F401
