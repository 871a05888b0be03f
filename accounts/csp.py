"""The Content-Security-Policy header (``settings.CONTENT_SECURITY_POLICY``) on every response.

The console needs nothing but its own vendored assets: no inline script, no ``style=`` or
``on…=`` attribute in any template (console.js wires behaviour through data attributes), so
the policy allows scripts and styles from this origin only. Bootstrap's CSS draws a few
controls with ``data:`` SVG images, hence ``img-src 'self' data:``.
"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
