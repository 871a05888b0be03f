"""DescribeRegions: the AWS Regions, each with its EC2 endpoint and opt-in status."""

from __future__ import annotations

from accounts.services.base import iam_read

from .. import catalog, shapes
from ..errors import InvalidParameterValue
from . import access
from .filters import matches, parse_filters

REGION_FILTERS = {
    "endpoint": lambda r: [r.endpoint],
    "region-name": lambda r: [r.region_name],
    "opt-in-status": lambda r: [r.opt_in_status],
}


@iam_read("ec2:DescribeRegions")
def describe_regions(
    actor, *, region: str, region_names=(), all_regions: bool = False, filters=(), dry_run: bool = False
) -> list[shapes.Region]:
    """The Regions enabled for the account (every Region with ``all_regions``), or those
    named. Needs ec2:DescribeRegions (on ``*``)."""
    access.check_region(region)
    parsed = parse_filters(filters, REGION_FILTERS)
    for name in region_names or ():
        if catalog.region(name) is None:
            raise InvalidParameterValue(f"Invalid region: {str(name)[:64]}")
    access.authorize(actor, "ec2:DescribeRegions", "*", {"ec2:Region": region})
    if dry_run:
        raise access.dry_run_done()
    names = set(region_names or ())
    out = []
    for r in catalog.REGIONS:
        if names and r.name not in names:
            continue
        if not names and not all_regions and not r.enabled:
            continue
        shape = shapes.Region(r.name, r.endpoint, r.opt_in_status, r.description)
        if matches(shape, parsed):
            out.append(shape)
    return out
