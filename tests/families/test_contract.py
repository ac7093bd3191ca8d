"""Every registered family keeps the family contract (tests/families/contract.py): a family
gets these checks by being registered."""

import pytest

from tests.families.contract import check_family_contract
from vsc.families import FAMILIES


@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_registered_family_keeps_the_contract(name):
    check_family_contract(FAMILIES[name])
