"""The market room's world (``world.world``) for its test modules."""

from tests.sectors.market.world import world  # noqa: F401
