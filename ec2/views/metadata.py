"""The instance metadata service's HTTP face (``/ec2/instances/<id>/latest/…``) and the
container-credentials URL: plain HTTP for code "inside" the instance (no console session,
no CSRF: the connect token or an IMDSv2 token is the proof), answered by ``services.metadata``."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ..services import metadata


def _response(answer) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers:
        response[name] = value
    response["Server"] = "EC2ws"
    return response


@login_not_required
@csrf_exempt
@never_cache
def imds_token(request, instance_id):
    """``PUT latest/api/token``: the IMDSv2 session token."""
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    return _response(
        metadata.put_token(
            instance_id,
            connect_token=request.headers.get("Authorization"),
            ttl_seconds=request.headers.get("X-aws-ec2-metadata-token-ttl-seconds"),
            forwarded_for="X-Forwarded-For" in request.headers,
        )
    )


@login_not_required
@csrf_exempt
@never_cache
def imds_get(request, instance_id, path=""):
    """``GET latest/<path>``."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _response(
        metadata.get(
            instance_id,
            path,
            connect_token=request.headers.get("Authorization"),
            session_token=request.headers.get("X-aws-ec2-metadata-token"),
        )
    )


@login_not_required
@csrf_exempt
@never_cache
def container_credentials(request, instance_id):
    """The role's credentials for ``AWS_CONTAINER_CREDENTIALS_FULL_URI``."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _response(
        metadata.container_credentials(instance_id, authorization=request.headers.get("Authorization"))
    )
