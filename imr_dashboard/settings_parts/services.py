"""The services the settings name: the database, the page cache and the file storage."""

from pathlib import Path

from imr_dashboard.settings_parts.environment import env, secret


def database(var_dir: Path) -> dict:
    """The default database: DATABASE_URL, else a SQLite file inside the project (the embedded
    default); its password apart from the URL, so that it can come from a file
    (DATABASE_PASSWORD_FILE)."""
    default = env.db_url("DATABASE_URL", default=f"sqlite:///{var_dir / 'dashboard.sqlite3'}")
    if default["ENGINE"] == "django.db.backends.sqlite3":
        Path(default["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # A refresh writing in the background must not make page reads fail with "locked".
        default.setdefault("OPTIONS", {})["timeout"] = 20
    else:
        default["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    if password := secret("DATABASE_PASSWORD"):
        default["PASSWORD"] = password
    return default


def page_cache(redis_url: str) -> dict:
    """The page cache at `redis_url`, or in memory when there is none."""
    if not redis_url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        # A Redis that hangs must not hang pages: they are served from the database instead.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def default_storage(bucket: str, media_root: Path) -> dict:
    """Files written at run time: in the S3-compatible `bucket` when one is set (MinIO in
    docker-compose.yml, S3 or any S3 API on a managed platform), so that web and worker
    instances keep nothing on their own disks and any of them reads what another wrote; else on
    this machine's disk under `media_root` (`make run` and a single server). The keys come from
    STORAGE_S3_ACCESS_KEY_ID / STORAGE_S3_SECRET_ACCESS_KEY or their *_FILE; left empty, boto3
    finds its own (an instance role, a Kubernetes service account)."""
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="") or None,
            "access_key": secret("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": secret("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            # Path-style addresses (http://minio:9000/bucket/key) work with MinIO and S3 alike.
            "addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path"),
            "location": env.str("STORAGE_S3_PREFIX", default=""),
            # Private objects, handed out only through the dashboard or short-lived signed links;
            # a name already taken gets a new one, never overwriting another instance's file.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
