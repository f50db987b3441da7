"""Row ids (storage/tables/base.py): 32 hex digits, never the same twice, unguessable; a case's rows' ids in order
within a process, so that a filing's rows land together in every index keyed by id (issue 15 §3); every other
row's random from its first digit, as a person names an outbox message by its first eight."""

from __future__ import annotations

import os
import threading

from storage.tables.base import RowIds, new_id, ordered_id


def test_ids_follow_each_other_and_keep_64_random_bits() -> None:
    ids = [ordered_id() for _ in range(1000)]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)  # in order: the same index page takes the next row
    assert len({i[:8] for i in ids}) == 1  # one process, one prefix
    assert len({i[16:] for i in ids}) == 1000  # the random half differs every time


def test_a_random_id_differs_from_its_first_digits() -> None:
    """A person names an outbox message by the first eight digits of its id (`scrbot notify show`)."""
    ids = [new_id() for _ in range(1000)]
    assert len({i[:8] for i in ids}) == 1000
    assert all(len(i) == 32 and i[12] == "4" and i[16] in "89ab" for i in ids)  # a version 4 UUID's digits


def test_a_new_prefix_once_the_counter_is_used_up() -> None:
    ids = RowIds(limit=3)
    made = [ids.next() for _ in range(7)]
    assert len(set(made)) == 7
    assert [m[8:16] for m in made] == ["00000000", "00000001", "00000002"] * 2 + ["00000000"]
    assert len({m[:8] for m in made}) == 3


def test_threads_never_get_the_same_number() -> None:
    ids = RowIds()
    made: list[str] = []

    def make() -> None:
        made.extend(ids.next() for _ in range(2000))

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({m[:16] for m in made}) == 8000


def test_a_forked_child_takes_its_own_prefix() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one id back to the parent, then out at once
        os.write(write, ordered_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert len(child) == 32 and child[:8] != ordered_id()[:8]
