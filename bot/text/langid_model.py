"""py3langid's model, read from an uncompressed copy in the user's cache folder when there is one.

Why: py3langid ships its model xz-compressed (4.5 MB → 68 MB). Decompressing it and rebuilding
its tables costs 0.6–0.8 CPU-s in every process that meets a text the function words cannot
place (a Russian or Korean page, a short English one): in a `newsdesk brief` run that is more
than a tenth of the work on 181 pages. The first load writes the decompressed arrays to
`$XDG_CACHE_HOME/newsdesk/` (else `~/.cache/newsdesk/`), named after py3langid's version and
the model file's size and time; later processes read them in about a tenth of the time. Where
that folder cannot be written or read, the model loads from py3langid's file as before: the
copy only ever saves time, the identifier is the same either way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from array import array
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path
from typing import Any

# How py3langid's loader hands over its tables: (ptc, pc, classes, nextmove, row, output);
# nextmove and row are stdlib arrays of these item sizes.
_ARRAY_TYPES = {"nextmove": "I", "row": "H"}


def cache_folder() -> Path:
    """Where the uncompressed copy lives: the XDG cache folder, as other tools' caches."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk"


def load_identifier(*, norm_probs: bool = True) -> Any:
    """py3langid's `LanguageIdentifier` over its bundled model."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    copy = _copy_path(model)
    tables = _read_copy(copy) if copy is not None else None
    if tables is None:
        from py3langid.modelio import load_model

        tables = load_model(model)
        if copy is not None:
            _write_copy(copy, tables)
    ptc, pc, classes, nextmove, row, output = tables
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=norm_probs, tk_row=row)


def _copy_path(model: Path) -> Path | None:
    try:
        stat = model.stat()
        tag = f"{version('py3langid')}-{stat.st_size}-{stat.st_mtime_ns}"
        return cache_folder() / f"py3langid-{tag}"
    except (OSError, ValueError, RuntimeError):  # no home folder, no package metadata
        return None


# One file per table, read without a copy: the big DFA table straight into its stdlib array,
# the others as .npy (a zipped .npz checksums all 68 MB on every read).
_NPY = ("ptc", "pc", "classes", "output")


def _read_copy(folder: Path) -> tuple[Any, ...] | None:
    import numpy as np

    try:
        ptc, pc, classes, output = (np.load(folder / f"{name}.npy") for name in _NPY)
        nextmove, row = (_read_array(folder, name) for name in ("nextmove", "row"))
    except Exception:  # absent, damaged, or not ours: load from py3langid's file
        return None
    return ptc, pc, classes.tolist(), nextmove, row, output.tolist()


def _read_array(folder: Path, name: str) -> array[int]:
    path = folder / f"{name}.bin"
    table = array(_ARRAY_TYPES[name])
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        table.fromfile(handle, size // table.itemsize)
    return table


def _write_copy(folder: Path, tables: tuple[Any, ...]) -> None:
    """Write the files into a fresh folder beside the final one, then rename it: a reader
    never sees half a copy, and of processes writing at once the first rename wins."""
    import numpy as np

    ptc, pc, classes, nextmove, row, output = tables
    if nextmove.typecode != _ARRAY_TYPES["nextmove"] or row.typecode != _ARRAY_TYPES["row"]:
        return  # a py3langid whose tables we do not know how to store
    arrays = {
        "ptc": np.asarray(ptc),
        "pc": np.asarray(pc),
        "classes": np.array(classes),
        "output": np.asarray(output, dtype=np.int32),
    }
    with suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".partial-"))
        try:
            for name, values in arrays.items():
                np.save(temporary / f"{name}.npy", values, allow_pickle=False)
            for name, table in (("nextmove", nextmove), ("row", row)):
                with (temporary / f"{name}.bin").open("wb") as out:
                    table.tofile(out)
            shutil.rmtree(folder, ignore_errors=True)  # a damaged copy, if any
            os.replace(temporary, folder)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
