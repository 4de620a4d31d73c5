"""Run the doctests of the code modules, so that the default test run keeps their examples true."""

import doctest
from types import ModuleType

import pytest

from zhuisu.codes import _regions, canonical, errors, recognize, registry

# epc_urn's doctests belong to its own test module.
MODULES = [m for name, m in registry.SCHEMES.items() if name != registry.EPC_URN] + [
    _regions,
    canonical,
    errors,
    recognize,
    registry,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    assert result.failed == 0
    assert result.attempted >= 1
