"""gunicorn's settings for iamconsole, read by ``gunicorn iamconsole.wsgi`` run from this directory
(the command line and GUNICORN_CMD_ARGS still override them: ``--workers``, ``--bind``).

Threaded workers (``gthread``) keep HTTP/1.1 connections open between requests. The API's
clients (the AWS CLI, boto3, the SDKs) reuse their connections, and gunicorn's default ``sync``
worker closes every one after its response: each call then paid a new TCP connection on both
sides, more than the server's own work for a small S3 request. An idle kept-alive connection
waits in the worker's poller and ties up no thread.

Each thread keeps its own database connection (``IAMCONSOLE_CONN_MAX_AGE``): the server holds
up to workers x threads connections.
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5  # seconds an idle connection stays open (boto3 sends its next call well within)
