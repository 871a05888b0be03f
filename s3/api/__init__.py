"""S3's REST API on the console's own server: path-style ``/<bucket>/<key>`` and virtual-host
style ``<bucket>.s3.<host>``, recognized by ``middleware.S3Middleware`` before URL resolution."""
