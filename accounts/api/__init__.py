"""The AWS API side of the console: request authentication (Signature Version 4) for IAM, STS and S3."""
