"""The demo world's S3: buckets, objects and bucket policies, governed by IAM policies."""
