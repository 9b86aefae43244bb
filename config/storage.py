"""Where uploaded and generated files live: the storage settings for the data folder or for an
S3-compatible object store (MinIO, Ceph), shared by every app server that names it."""


def local_files() -> dict:
    """Under the data folder's media folder, encrypted at rest (shuzhi.core.files), mode 0600."""
    return {"BACKEND": "shuzhi.core.files.EncryptedFileSystemStorage"}


def s3_files(
    *, bucket: str, endpoint: str, access_key: str, secret_key: str, region: str, prefix: str
) -> dict:
    """The app streams stored files itself after its own access checks, so the bucket stays private
    and no address of the store reaches a browser."""
    return {
        "BACKEND": "shuzhi.core.files.EncryptedS3Storage",  # encrypted before it leaves the app
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region,
            "location": prefix,
            "addressing_style": "path",  # MinIO and Ceph serve buckets under the endpoint's path
            "signature_version": "s3v4",
            "file_overwrite": False,  # like the file system: a second file of one name gets another
            "default_acl": None,  # the bucket's own policy: private
            "max_memory_size": 16 * 1024 * 1024,  # a file read back stays in memory up to this
        },
    }
