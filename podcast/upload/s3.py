"""S3-compatible object storage through boto3 (AWS, Cloudflare R2, Backblaze B2, MinIO, OVH ...).

An object appears whole or not at all, so no temporary names are needed; each carries its
Content-Type and Cache-Control, which a CDN in front of the bucket honours. Retries are ours
(podcast.upload), so botocore's own are turned off: one policy, one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import CredentialsError, TransientError, UploadError, credentials
from .target import Target

if TYPE_CHECKING:
    from ..config import Config

log = logging.getLogger(__name__)

TIMEOUT = 30.0
_BAD_KEYS = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
}
_TRANSIENT = {
    "RequestTimeout",
    "RequestTimeTooSkewed",
    "SlowDown",
    "InternalError",
    "ServiceUnavailable",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
}


class _Counted:
    """A file read by botocore, reporting each byte once (it may read twice: checksum, then send)."""

    def __init__(self, handle: IO[bytes], progress: Callable[[int], None]) -> None:
        self.handle, self.progress, self.reported = handle, progress, 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        position = self.handle.tell()
        if position > self.reported:
            self.progress(position - self.reported)
            self.reported = position
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()


class S3Remote:
    def __init__(self, config: Config, target: Target) -> None:
        upload = config.upload
        self.target = target
        self.bucket, self.prefix = target.host, target.path
        self.endpoint = upload.endpoint_url or None
        self.region = upload.region or None
        self.credentials = config.resolve(upload.credentials) if upload.credentials else None
        self._client: Any = None

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        import boto3
        from botocore.config import Config as BotoConfig
        from botocore.exceptions import BotoCoreError

        secrets = credentials(self.credentials)
        session = boto3.session.Session(
            aws_access_key_id=secrets.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=secrets.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=secrets.get("AWS_SESSION_TOKEN"),
            region_name=self.region,
        )
        options = BotoConfig(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=TIMEOUT,
            read_timeout=TIMEOUT,
            s3={"addressing_style": "path"} if self.endpoint else None,
        )
        try:
            self._client = session.client("s3", endpoint_url=self.endpoint, config=options)
        except (BotoCoreError, ValueError) as err:  # NoRegionError, a bad endpoint: a setting is wrong
            raise UploadError(
                f"cannot set up the S3 client ({err}); check upload.region and upload.endpoint_url"
            ) from None
        return self._client

    def _call(self, what: str, action: Callable[[Any], Any]) -> Any:
        from botocore import exceptions as boto

        client = self._connect()
        try:
            return action(client)
        except boto.NoCredentialsError:
            raise CredentialsError(
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment or upload.credentials)"
            ) from None
        except boto.ClientError as err:
            code = str(err.response.get("Error", {}).get("Code", ""))
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            message = err.response.get("Error", {}).get("Message") or code
            if code in _BAD_KEYS:
                raise CredentialsError(f"{self.target}: the storage refused our credentials ({code})") from None
            if code in _TRANSIENT or status >= 500:
                raise TransientError(f"{code or status}: {message}") from None
            raise UploadError(f"{self.target}: {what} refused by the storage: {code} ({message})") from None
        except (boto.HTTPClientError, boto.ConnectionError) as err:
            self._client = None
            raise TransientError(f"connection lost: {err}") from None
        except boto.BotoCoreError as err:
            raise UploadError(f"{self.target}: {what} failed: {err}") from None

    # -- the Remote protocol ---------------------------------------------------------------------

    def list(self) -> dict[str, int]:
        def listing(client: Any) -> dict[str, int]:
            found: dict[str, int] = {}
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    found[item["Key"][len(self.prefix) :]] = int(item["Size"])
            return found

        return dict(self._call("listing", listing))

    def put(self, local: Path, name: str, headers: dict[str, str], progress: Callable[[int], None]) -> None:
        def send(client: Any) -> None:
            with open(local, "rb") as handle:
                client.put_object(
                    Bucket=self.bucket,
                    Key=self.prefix + name,
                    Body=_Counted(handle, progress),
                    ContentType=headers["Content-Type"],
                    CacheControl=headers["Cache-Control"],
                    ContentLength=local.stat().st_size,
                )

        log.debug("s3 put %s", name)
        self._call(f"writing {name}", send)

    def delete(self, name: str) -> None:
        self._call(f"deleting {name}", lambda client: client.delete_object(Bucket=self.bucket, Key=self.prefix + name))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None
