"""The canteen ledger's world (``world.world``), for the test modules here."""

from tests.sectors.canteen.world import world  # noqa: F401
