"""What the EC2 console's views share: the Region (in the URL's ``?region=``, remembered in a
cookie, ``ap-northeast-2`` by default), the context every EC2 page needs, and EC2's refusals
shown inside the page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from accounts.errors import AccessDenied

from .. import catalog
from ..services.access import plain_reason

REGION_COOKIE = "ec2_region"


def current_region(request) -> catalog.Region:
    for candidate in (request.GET.get("region"), request.COOKIES.get(REGION_COOKIE)):
        found = catalog.region(candidate or "")
        if found is not None and found.enabled:
            return found
    return catalog.region(catalog.DEFAULT_REGION)


def remember_region(response, region: catalog.Region, *, secure: bool = False):
    response.set_cookie(
        REGION_COOKIE,
        region.name,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=secure,
        path="/ec2/",
    )
    return response


def url(name: str, region: catalog.Region, *args, **query) -> str:
    """An EC2 console URL with the region in it (and more query parameters)."""
    return reverse(name, args=args) + "?" + urlencode({"region": region.name, **query})


def ec2_context(request, region: catalog.Region, *, switch_to: str = "ec2:instance_list") -> dict:
    return {
        "region": region,
        "regions": catalog.enabled_regions(),
        "region_menu": "ec2/_region_menu.html",
        "region_switch_url": reverse(switch_to),
    }


def render_ec2(
    request, template: str, region: catalog.Region, context: dict, *, status: int = 200, **options
):
    response = render(
        request, template, {**ec2_context(request, region, **options), **context}, status=status
    )
    return remember_region(response, region, secure=request.is_secure())


def refusal(exc: AccessDenied) -> dict:
    """An EC2 refusal for a page: AWS's message without, and with, its encoded part."""
    return {"message": plain_reason(exc.message), "full_message": exc.message, "code": exc.code}
