"""Pinned downloads of cell data files by URL (pooch), against an HTTP server on loopback."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark.cells import data_files, registry
from benchmark.cells.spec import CellSpec, DataFile
from benchmark.core.errors import DataUnavailableError

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = b"published morphology\n"
PIN = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Serves ``tmp_path/www`` (a plain file and a zip holding it) on 127.0.0.1."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "cell1.asc").write_bytes(PAYLOAD)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model-1.0/morphologies/cell1.asc", PAYLOAD)
    (www / "model.zip").write_bytes(buffer.getvalue())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CellSpec:
    monkeypatch.setenv("NEURODEPTH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NEURODEPTH_MIRROR", raising=False)
    folder = tmp_path / "cells" / "lif"
    shutil.copytree(REPO / "cells" / "lif", folder)
    return registry.get(str(folder))


def test_a_plain_file_is_downloaded_against_its_pin_and_cached(server: str, spec: CellSpec) -> None:
    file = DataFile(name="cell1.asc", sha256=PIN, mirror_path="x/cell1.asc",
                    url=f"{server}/cell1.asc")
    path = data_files.locate(spec, file)
    assert path == data_files.cache_root() / "lif" / "cell1.asc"
    assert path.read_bytes() == PAYLOAD
    assert data_files.locate(spec, file, download=False) == path  # from the cache now


def test_an_archive_member_is_extracted_and_checked(server: str, spec: CellSpec) -> None:
    file = DataFile(name="cell1.asc", sha256=PIN, mirror_path="x/cell1.asc",
                    url=f"{server}/model.zip", archive_member="morphologies/cell1.asc")
    assert data_files.locate(spec, file).read_bytes() == PAYLOAD


@pytest.mark.parametrize("url", ["cell1.asc", "model.zip"])
def test_a_wrong_pin_is_refused_and_nothing_is_cached(server: str, spec: CellSpec,
                                                      url: str) -> None:
    file = DataFile(name="cell1.asc", sha256="0" * 64, mirror_path="x/cell1.asc",
                    url=f"{server}/{url}",
                    archive_member="morphologies/cell1.asc" if url.endswith(".zip") else "")
    with pytest.raises(DataUnavailableError, match="wrong sha256"):
        data_files.locate(spec, file)
    assert not (data_files.cache_root() / "lif" / "cell1.asc").exists()


def test_an_unreachable_source_names_where_to_put_the_file(spec: CellSpec) -> None:
    file = DataFile(name="cell1.asc", sha256=PIN, mirror_path="x/cell1.asc",
                    url="http://127.0.0.1:9/cell1.asc")
    with pytest.raises(DataUnavailableError, match="download from .* failed.*fix: put it at"):
        data_files.locate(spec, file)
