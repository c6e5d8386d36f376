"""Editing the best bets file (search.bestbets.edit_bestbets, which the staff dashboard uses): what is
written reads back, the edit is atomic, and a replaced file is read again by the running search."""

import os
import stat

import pytest

from search.bestbets import BestBet, BestBets, BestBetsError, edit_bestbets, load_bestbets

AWKWARD = 'https://www.example.fi/haku?q="rokotus"&x=\\1\n\x7f\tä'


def test_what_is_written_reads_back_whatever_the_strings(tmp_path):
    path = tmp_path / "bestbets.toml"
    bets = edit_bestbets(path, lambda b: b.pin('koronarokotus "uusi"', AWKWARD).pin("rokotus", "a"))
    assert bets.bets == (BestBet('koronarokotus "uusi"', (AWKWARD,)), BestBet("rokotus", ("a",)))
    assert BestBets.from_toml(path.read_text(encoding="utf-8")).bets == bets.bets
    assert path.read_text(encoding="utf-8").startswith("# Best bets")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_an_edit_keeps_the_other_bets_and_the_file_mode(tmp_path):
    path = tmp_path / "bestbets.toml"
    path.write_text('[[bestbet]]\nquery = "kotihoito"\ndocuments = ["k"]\n\n[[bestbet]]\nquery = "rokotus"\ndocuments = ["r"]\n',
                    encoding="utf-8")
    path.chmod(0o640)
    edit_bestbets(path, lambda b: b.pin("kotihoidon", "k2").unpin("rokotuksen", "r"))
    assert load_bestbets(path).bets == (BestBet("kotihoito", ("k", "k2")),)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bestbets.toml"]  # no temporary file left


def test_a_failed_edit_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "bestbets.toml"
    edit_bestbets(path, lambda b: b.pin("rokotus", "a"))
    before = path.read_bytes()
    with pytest.raises(BestBetsError, match="already pins 5 documents"):
        edit_bestbets(path, lambda b: b.pin("rokotus", "b").pin("rokotus", "c").pin("rokotus", "d").pin("rokotus", "e").pin("rokotus", "f"))
    with pytest.raises(BestBetsError, match="no words"):
        edit_bestbets(path, lambda b: b.pin("ja", "b"))
    assert path.read_bytes() == before
    path.write_text("[[bestbet]]\nquery = \n", encoding="utf-8")  # broken by hand: not overwritten
    with pytest.raises(BestBetsError, match="not valid TOML"):
        edit_bestbets(path, lambda b: b.pin("rokotus", "b"))
    assert path.read_text(encoding="utf-8") == "[[bestbet]]\nquery = \n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bestbets.toml"]


def test_a_replaced_file_of_the_same_size_and_time_is_read_again(tmp_path):
    path = tmp_path / "bestbets.toml"
    edit_bestbets(path, lambda b: b.pin("rokotus", "a"))
    first = path.stat()
    assert load_bestbets(path).bets == (BestBet("rokotus", ("a",)),)
    # Another file renamed over it, as edit_bestbets does, within the clock's resolution: only the inode differs.
    other = tmp_path / "other.toml"
    other.write_text(path.read_text(encoding="utf-8").replace('"a"', '"b"'), encoding="utf-8")
    os.utime(other, ns=(first.st_atime_ns, first.st_mtime_ns))
    os.replace(other, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (first.st_size, first.st_mtime_ns)
    assert load_bestbets(path).bets == (BestBet("rokotus", ("b",)),)
