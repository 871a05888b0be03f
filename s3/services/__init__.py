"""S3's actions, one function per action named after it (``put_object`` is s3:PutObject),
each authorized by the gate with S3's ARNs, the bucket policy and the bucket owner's account.

Modules: ``buckets`` (ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation),
``objects`` (PutObject, GetObject, HeadObject, DeleteObject, CopyObject), ``listing``
(ListObjectsV2, ListObjects), ``policies`` (Put/Get/DeleteBucketPolicy), ``public_access``
(Put/Get/DeletePublicAccessBlock, the account's too), ``tagging`` (Put/Get/DeleteBucketTagging);
``access`` is the S3 side of the gate (Block Public Access, S3's AccessDenied wording).
"""
