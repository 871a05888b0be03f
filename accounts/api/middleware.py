"""The IAM and STS API (AWS's Query protocol at ``/``) answered before the console's own
middleware: an API call needs no session, language, CSRF check, signed-in user or messages,
and skipping them is a good part of a small call's time. A browser's ``GET /`` goes on to the
console as before (``views.signin.home``)."""

from django.utils.cache import add_never_cache_headers

from .. import context
from . import views


class QueryAPIMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != "/" or not views.is_api_request(request):
            return self.get_response(request)
        # what RequestContextMiddleware gives a console request: the caller's address for the
        # audit trail and the conditions (the API's own MFA state comes with its credentials)
        token = context.activate(context.for_request(request))
        try:
            response = views.aws_endpoint(request)
        finally:
            context.deactivate(token)
        add_never_cache_headers(response)
        return response
