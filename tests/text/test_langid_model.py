"""The uncompressed copy of py3langid's model: the same identifier, whatever happens to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.text import langid_model

TEXTS = [
    "The harbour ferry will run every twenty minutes from Monday, the operator said.",
    "Паром будет ходить каждые двадцать минут с понедельника, сообщил оператор.",
    "Prom będzie kursował co dwadzieścia minut od poniedziałku, poinformował przewoźnik.",
    "Το πλοίο θα εκτελεί δρομολόγια κάθε είκοσι λεπτά από τη Δευτέρα.",
    "渡轮将从周一起每二十分钟一班，运营方表示。",
]


@pytest.fixture(scope="module")
def original() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _ranks(identifier: object) -> list[object]:
    return [identifier.rank(text)[:5] for text in TEXTS]  # type: ignore[attr-defined]


def test_first_load_writes_the_copy_and_later_loads_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, original: object
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = langid_model.load_identifier()
    copies = list((tmp_path / "newsdesk").glob("py3langid-*"))
    assert len(copies) == 1 and (copies[0] / "nextmove.bin").is_file()
    assert not list((tmp_path / "newsdesk").glob(".partial-*"))

    import py3langid.modelio

    def no_decompressing(*_: object) -> None:
        raise AssertionError("the copy was not used")

    monkeypatch.setattr(py3langid.modelio, "load_model", no_decompressing)
    second = langid_model.load_identifier()
    assert _ranks(first) == _ranks(second) == _ranks(original)


def test_a_damaged_copy_is_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, original: object
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    langid_model.load_identifier()
    (copy,) = (tmp_path / "newsdesk").glob("py3langid-*")
    (copy / "ptc.npy").write_bytes(b"not an array")
    assert _ranks(langid_model.load_identifier()) == _ranks(original)

    import py3langid.modelio

    def no_decompressing(*_: object) -> None:
        raise AssertionError("the copy was not rewritten")

    monkeypatch.setattr(py3langid.modelio, "load_model", no_decompressing)
    assert _ranks(langid_model.load_identifier()) == _ranks(original)


def test_an_unwritable_cache_folder_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, original: object
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be made under a file")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _ranks(langid_model.load_identifier()) == _ranks(original)
