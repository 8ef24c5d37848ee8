"""Files written at run time go to a store every instance shares, never to an instance's disk.

A real S3-compatible server (moto's, on 127.0.0.1) stands in for MinIO or S3. One process saves
a file through Django's default storage with the deployment's settings (STORAGE_S3_BUCKET and
the keys, one from a *_FILE as Docker and Kubernetes secrets give it); another process, as a
second web instance would, reads it back; neither writes anything under MEDIA_ROOT.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
MOTO_SERVER = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
BUCKET = "imr-dashboard-files"

pytestmark = pytest.mark.skipif(
    not os.access(MOTO_SERVER, os.X_OK), reason="moto[server] is not installed (make install)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        until = time.monotonic() + 30
        while True:
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < until, f"moto_server did not start: {log.read_text()}"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def bucket(s3_endpoint):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing-access",
        aws_secret_access_key="testing-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def instance_env(tmp_path: Path, endpoint: str, **extra: str) -> dict[str, str]:
    """What one web or worker instance is given; MEDIA_ROOT is where local files would go."""
    secret_file = tmp_path / "s3-secret"
    secret_file.write_text("testing-secret\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STORAGE_S3_", "AWS_", "MEDIA_ROOT"))
    }
    env.update(
        DEBUG="1",
        MEDIA_ROOT=str(tmp_path / "media"),
        STORAGE_S3_BUCKET=BUCKET,
        STORAGE_S3_ENDPOINT_URL=endpoint,
        STORAGE_S3_REGION="us-east-1",
        STORAGE_S3_ACCESS_KEY_ID="testing-access",
        STORAGE_S3_SECRET_ACCESS_KEY_FILE=str(secret_file),
        # Nothing from this machine's own AWS configuration may count.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        **extra,
    )
    return env


def in_instance(env: dict[str, str], code: str) -> dict:
    """Run code in a fresh Django process (one instance); it prints a JSON answer."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage, storages\n" + code
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "imr_dashboard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_file_saved_by_one_instance_is_read_by_another_and_never_touches_local_disk(
    tmp_path, s3_endpoint, bucket
):
    env = instance_env(tmp_path, s3_endpoint)
    content = "Board pack, quarter 3 — figures as frozen\n".encode()

    saved = in_instance(
        env,
        f"name = default_storage.save('boardpacks/q3.pdf', ContentFile({content!r}))\n"
        "backend = type(storages['default']).__name__\n"
        "print(json.dumps({'name': name, 'backend': backend}))",
    )
    assert saved["backend"] == "S3Storage"
    stored = bucket.get_object(Bucket=BUCKET, Key=saved["name"])["Body"].read()
    assert stored == content

    read = in_instance(
        env,
        f"name = {saved['name']!r}\n"
        "with default_storage.open(name) as f: body = f.read()\n"
        "print(json.dumps({'exists': default_storage.exists(name), 'body': body.decode(),"
        " 'size': default_storage.size(name)}))",
    )
    assert read == {"exists": True, "body": content.decode(), "size": len(content)}
    media = tmp_path / "media"
    assert not media.exists() or not any(media.rglob("*")), "a file was written to local disk"


def test_a_name_already_taken_by_another_instance_is_never_overwritten(
    tmp_path, s3_endpoint, bucket
):
    env = instance_env(tmp_path, s3_endpoint)

    def save(content: bytes) -> str:
        code = (
            f"name = default_storage.save('uploads/deaths.csv', ContentFile({content!r}))\n"
            "print(json.dumps({'name': name}))"
        )
        return in_instance(env, code)["name"]

    first = save(b"first instance")
    second = save(b"second instance")
    assert first != second
    assert bucket.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"first instance"
    assert bucket.get_object(Bucket=BUCKET, Key=second)["Body"].read() == b"second instance"


def test_without_a_bucket_files_go_to_media_root(tmp_path):
    env = instance_env(tmp_path, "http://127.0.0.1:9")
    del env["STORAGE_S3_BUCKET"]
    answer = in_instance(
        env,
        "name = default_storage.save('x.txt', ContentFile(b'local'))\n"
        "print(json.dumps({'backend': type(storages['default']).__name__,"
        " 'path': default_storage.path(name)}))",
    )
    assert answer["backend"] == "FileSystemStorage"
    assert Path(answer["path"]).read_bytes() == b"local"
    assert Path(answer["path"]).is_relative_to(tmp_path / "media")


def test_a_key_given_both_ways_is_refused_naming_it(tmp_path):
    env = instance_env(tmp_path, "http://127.0.0.1:9", STORAGE_S3_SECRET_ACCESS_KEY="also-set")
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "imr_dashboard.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "STORAGE_S3_SECRET_ACCESS_KEY or STORAGE_S3_SECRET_ACCESS_KEY_FILE" in done.stderr
