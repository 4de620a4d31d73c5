"""The usage examples in the ledger modules' docstrings run and hold."""

import doctest
import importlib

import pytest

EXAMPLES = {
    "zhuisu.ledger.errors": 3,
    "zhuisu.ledger.merkle": 5,
    "zhuisu.ledger.subtrees": 6,
    "zhuisu.ledger.keys": 4,
    "zhuisu.ledger.note": 4,
    "zhuisu.ledger.checkpoint": 4,
    "zhuisu.ledger.cosignature": 3,
    "zhuisu.ledger.proof_file": 5,
    "zhuisu.ledger.tiles": 3,
    "zhuisu.ledger.witness": 4,
    "zhuisu.ledger.leaf": 6,
}


@pytest.mark.parametrize(("name", "attempted"), EXAMPLES.items())
def test_module_examples(name: str, attempted: int) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert (result.failed, result.attempted) == (0, attempted)
