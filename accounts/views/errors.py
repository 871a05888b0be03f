"""Turn the services' AWS errors into console pages (403 with AWS's message, 404)."""

from django.shortcuts import render

from ..errors import AccessDenied, NoSuchEntity


class IAMErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AccessDenied):
            return render(
                request,
                "console/access_denied.html",
                {
                    "message": exception.message,
                    "decision": exception.decision,
                    "considered": exception.considered,
                },
                status=403,
            )
        if isinstance(exception, NoSuchEntity):
            return render(request, "console/not_found.html", {"aws_message": exception.message}, status=404)
        return None
