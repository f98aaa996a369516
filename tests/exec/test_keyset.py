"""The key set of replace mode: in memory while small, on disk once large, same answers."""
from decimal import Decimal

from ddbsql.exec.keyset import KeySet
from ddbsql.exec.writer import key_of

KEYS = ("pk", "sk")


def key(i: int, sk="N") -> tuple:
    return key_of({"pk": {"S": f"p{i % 7}"}, "sk": {sk: str(i)}}, KEYS)


def test_membership_in_memory_and_after_spilling_to_disk(tmp_path):
    keys = KeySet(memory_limit=100, folder=tmp_path)
    for i in range(50):
        keys.add(key(i))
    assert not keys.on_disk and len(keys) == 50 and key(7) in keys and key(77) not in keys
    for i in range(50, 5000):
        keys.add(key(i))
    assert keys.on_disk and len(keys) == 5000
    assert all(key(i) in keys for i in range(0, 5000, 37))
    assert key(5001) not in keys and key(7, sk="S") not in keys     # the type is part of the key
    keys.add(key(7))                                                  # again: still one
    assert len(keys) == 5000
    keys.close()
    assert list(tmp_path.iterdir()) == []                            # the file is gone


def test_numbers_compare_by_value():
    keys = KeySet()
    keys.add(key_of({"pk": {"S": "a"}, "sk": {"N": "1.50"}}, KEYS))
    assert key_of({"pk": {"S": "a"}, "sk": {"N": "1.5"}}, KEYS) in keys
    assert key_of({"pk": {"S": "a"}, "sk": {"N": str(Decimal("15E-1"))}}, KEYS) in keys
