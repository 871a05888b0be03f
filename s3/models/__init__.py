from .buckets import AccountPublicAccessBlock, Bucket
from .multipart import MultipartUpload, UploadPart
from .objects import S3Object

__all__ = ["AccountPublicAccessBlock", "Bucket", "MultipartUpload", "S3Object", "UploadPart"]
