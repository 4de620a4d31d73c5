"""Every example in a docstring of ``zhuisu`` runs and gives what it shows (the domain tests run some of them with
their own expectations; this sweep keeps none from rotting unseen)."""

import doctest
import importlib
import pkgutil

import pytest

import zhuisu

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(zhuisu.__path__, "zhuisu.")
    if ".migrations." not in m.name and m.name != "zhuisu.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
    assert result.failed == 0
