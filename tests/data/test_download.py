"""The IMAGES.mat download against a local HTTP server serving a file the test made."""

import functools
import hashlib
import http.server
import threading

import pytest

from tests.conftest import write_images_mat
from vsc.config import IMAGES_MAT_URL
from vsc.data.download import download_images_mat
from vsc.data.images import DataError


def sha256_of(path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_verifies_and_keeps_a_good_file(server, tmp_path):
    root, url = server
    write_images_mat(root / "IMAGES.mat", n_images=2, size=20)
    dest = download_images_mat(f"{url}/IMAGES.mat", tmp_path / "data" / "IMAGES.mat",
                               sha256_of(root / "IMAGES.mat"))
    assert dest.read_bytes() == (root / "IMAGES.mat").read_bytes()


def test_download_rejects_a_file_with_another_checksum_and_leaves_nothing(server, tmp_path):
    root, url = server
    write_images_mat(root / "IMAGES.mat", n_images=2, size=20)
    with pytest.raises(DataError, match="data.checksum to 'sha256:"):
        download_images_mat(f"{url}/IMAGES.mat", tmp_path / "IMAGES.mat", "sha256:" + "0" * 64)
    assert list(tmp_path.iterdir()) == [tmp_path / "www"]


def test_the_default_source_is_https_and_pinned():
    from vsc.config import IMAGES_MAT_CHECKSUM

    assert IMAGES_MAT_URL.startswith("https://")
    algorithm, digest = IMAGES_MAT_CHECKSUM.split(":")
    assert algorithm in hashlib.algorithms_guaranteed and len(digest) >= 32


def test_download_rejects_a_bad_file_and_leaves_nothing(server, tmp_path):
    root, url = server
    (root / "IMAGES.mat").write_text("<html>moved</html>")
    dest = tmp_path / "IMAGES.mat"
    with pytest.raises(DataError, match="not a valid IMAGES.mat"):
        download_images_mat(f"{url}/IMAGES.mat", dest, sha256_of(root / "IMAGES.mat"))
    assert list(tmp_path.iterdir()) == [tmp_path / "www"]


def test_download_reports_http_errors(server, tmp_path):
    _, url = server
    with pytest.raises(DataError, match="could not download"):
        download_images_mat(f"{url}/missing.mat", tmp_path / "IMAGES.mat")
    assert not (tmp_path / "IMAGES.mat").exists()


def test_config_download_path(server, tmp_path):
    from vsc.config import DataConfig
    from vsc.data.patches import load_images

    root, url = server
    write_images_mat(root / "IMAGES.mat", n_images=2, size=24)
    cfg = DataConfig(source="images_mat", path=str(tmp_path / "IMAGES.mat"), download=True,
                     url=f"{url}/IMAGES.mat", checksum=sha256_of(root / "IMAGES.mat"))
    assert len(load_images(cfg)) == 2
