"""The Allen downloader (:mod:`benchmark.cells.allen_download`) against an HTTP server on loopback.

The server answers like the Allen Brain Map API: the model's zip at
``/neuronal_model/download/<id>``, the RMA query of allensdk's ``BiophysicalApi`` with the
recorded-format response in ``tests/data/allen_api/``, and well-known files at
``/api/v2/well_known_file_download/<id>``. The real client code runs against it: ours
(urllib, zip route) always; allensdk's API client when the ``allen`` extra is installed
(``tox -e allen``).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmark.cells import allen_download, data_files, registry
from benchmark.cells.spec import DataFile
from benchmark.core.errors import DataUnavailableError

API_DATA = Path(__file__).parent / "data" / "allen_api"
MODEL_ID = 497232312
FIT_NAME = "497232312_fit.json"
SWC_NAME = "Rbp4-Cre_KL100_Ai14-203498.04.02.01_496001061_m.swc"
WKF_IDS = {"900000001": FIT_NAME, "900000021": SWC_NAME, "900000011": "Ih.mod"}


@dataclass
class FakeApi:
    """What the loopback server serves, and the paths it was asked for."""

    files: dict[str, bytes]
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, payload in self.files.items():
                archive.writestr(name, payload)
        return buffer.getvalue()

    def answer(self, path: str) -> bytes | None:
        self.requests.append(path)
        if path == f"/neuronal_model/download/{MODEL_ID}":
            return self.zip_bytes()
        if path.startswith("/api/v2/data/query.json"):
            return (API_DATA / f"query_model_{MODEL_ID}.json").read_bytes()
        prefix = "/api/v2/well_known_file_download/"
        if path.startswith(prefix):
            name = WKF_IDS.get(path[len(prefix):])
            return self.files.get(name) if name else None
        return None


@pytest.fixture()
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(files={FIT_NAME: b'{"genome": [], "passive": []}\n',
                         SWC_NAME: b"1 1 0.0 0.0 0.0 5.0 -1\n", "Ih.mod": b"NEURON {}\n"})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = api.answer(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def _file(name: str, payload: bytes, member: str = "") -> DataFile:
    return DataFile(name=name, sha256=hashlib.sha256(payload).hexdigest(),
                    mirror_path=f"allen/{name}", allen_model_id=MODEL_ID, archive_member=member)


def test_zip_route_fetches_the_named_member(fake_api: FakeApi) -> None:
    file = _file(FIT_NAME, fake_api.files[FIT_NAME], FIT_NAME)
    got = allen_download.fetch(file, base=fake_api.base, use_allensdk=False)
    assert got == fake_api.files[FIT_NAME]
    assert fake_api.requests == [f"/neuronal_model/download/{MODEL_ID}"]


def test_zip_route_finds_a_renamed_file_by_its_hash(fake_api: FakeApi) -> None:
    file = _file("reconstruction.swc", fake_api.files[SWC_NAME])  # a local name, not Allen's
    assert allen_download.fetch(file, base=fake_api.base, use_allensdk=False) \
        == fake_api.files[SWC_NAME]


def test_a_changed_file_is_refused(fake_api: FakeApi) -> None:
    file = _file(FIT_NAME, b"the file as it was pinned", FIT_NAME)
    with pytest.raises(DataUnavailableError, match="no file matches the pinned sha256"):
        allen_download.fetch(file, base=fake_api.base, use_allensdk=False)


def test_an_unreachable_api_is_a_clear_error() -> None:
    file = _file(FIT_NAME, b"x", FIT_NAME)
    with pytest.raises(DataUnavailableError, match=f"Allen model {MODEL_ID}, file {FIT_NAME}"):
        allen_download.fetch(file, base="http://127.0.0.1:9", use_allensdk=False)


def test_registered_cell_downloads_through_data_files(
        fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No mirror: ``data_files.ensure`` downloads each pinned file of a registered Allen
    cell from the (loopback) API, verifies it and caches it atomically."""
    mirror = data_files.mirror_root()
    cells = [name for name in registry.discover() if name == "allen_mouse_497232312"]
    if mirror is None or not cells:
        pytest.skip("needs NEURODEPTH_MIRROR (the published files to serve) and the "
                    "registered cell allen_mouse_497232312")
    spec = registry.get(cells[0])
    pinned = [f for f in spec.files if f.allen_model_id == MODEL_ID]
    assert pinned, "the cell's files should name allen_model_id = 497232312"
    fake_api.files = {f.archive_member or f.name: (mirror / f.mirror_path).read_bytes()
                      for f in pinned}
    monkeypatch.delenv("NEURODEPTH_MIRROR")
    monkeypatch.setenv("NEURODEPTH_CACHE", str(tmp_path))
    monkeypatch.setenv(allen_download.API_ENV, fake_api.base)
    monkeypatch.setattr(allen_download, "allensdk_available", lambda: False)
    paths = data_files.ensure(spec)
    for f in pinned:
        assert data_files.sha256_of(Path(paths[f.name])) == f.sha256
        assert Path(paths[f.name]).is_relative_to(tmp_path)
    assert f"/neuronal_model/download/{MODEL_ID}" in fake_api.requests


@pytest.mark.allen
def test_allensdk_api_client_route(fake_api: FakeApi) -> None:
    """allensdk's own ``BiophysicalApi`` queries the (loopback) RMA endpoint and downloads
    the well-known files; ours picks the pinned one (``tox -e allen``)."""
    pytest.importorskip("allensdk", reason="the `allen` extra is not installed (tox -e allen)")
    file = _file(SWC_NAME, fake_api.files[SWC_NAME], SWC_NAME)
    got = allen_download.fetch(file, base=fake_api.base, use_allensdk=True)
    assert got == fake_api.files[SWC_NAME]
    assert any(r.startswith("/api/v2/data/query.json") for r in fake_api.requests)
    assert "/api/v2/well_known_file_download/900000021" in fake_api.requests
    assert f"/neuronal_model/download/{MODEL_ID}" not in fake_api.requests
