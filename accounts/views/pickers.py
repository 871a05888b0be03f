"""The pickers inside the console's forms (users to add, groups to join, policies to attach):
a server-side table of one page, searched on the server as the learner types; what is chosen
survives paging (the browser keeps it in hidden inputs). The form's first render includes the
first page (``picker_context``); the browser asks ``/iam/pickers/<kind>/`` for the others."""

import json
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render

from ..errors import AccessDenied
from ..services import groups as group_services
from ..services import policies as policy_services
from ..services import roles as role_services
from ..services import users as user_services

PICKER_PAGE_SIZE = 10
SEARCHES = {
    "users": (user_services.search_users, "user_name"),
    "groups": (group_services.search_groups, "group_name"),
    "roles": (role_services.search_roles, "role_name"),
    "policies": (policy_services.search_policies, "policy_name"),
}


@dataclass
class Picker:
    kind: str  # users | groups | roles | policies
    field: str  # the form field the choices go to
    label: str
    multiple: bool = True
    prefix: str = ""  # a value prefix ("user:" on the policy's Attach page)
    chosen: list = field(default_factory=list)
    page: object = None
    denied: object = None
    query: str = ""
    attached: set = field(default_factory=set)  # shown as already attached, not choosable
    # in a section the page hides for now: its rows are fetched when the section is shown
    # (console.js), so that a page with four pickers searches once, not four times
    lazy: bool = False

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("iam:picker", args=[self.kind])

    def value_of(self, item) -> str:
        if self.kind == "policies":
            return self.prefix + item.arn
        return self.prefix + getattr(item, SEARCHES[self.kind][1])

    @property
    def columns(self) -> int:
        return 5 if self.kind == "groups" else 4

    @property
    def attached_json(self) -> str:
        return json.dumps(sorted(self.attached))

    @staticmethod
    def name_of(item) -> str:
        for attr in ("policy_name", "user_name", "group_name", "role_name"):
            if hasattr(item, attr):
                return getattr(item, attr)
        return str(item)

    @property
    def rows(self) -> list[tuple[object, str, str]]:
        """(item, the value submitted, the name a screen reader reads) for the page shown."""
        return [(item, self.value_of(item), self.name_of(item)) for item in (self.page or [])]

    @property
    def hidden_chosen(self) -> list[str]:
        """Chosen values that are not on the page shown (so that they are submitted too)."""
        shown = {value for _item, value, _name in self.rows}
        return [v for v in self.chosen if v not in shown]


def _search(actor, kind: str, query: str, page: int):
    search, sort = SEARCHES[kind]
    return search(actor, query=query, sort=sort, page=page, page_size=PICKER_PAGE_SIZE)


def picker_context(request, picker: Picker, *, page: int = 1, shown: bool = True) -> Picker:
    """Fill ``picker`` with its first page (or AWS's refusal to list); a picker not ``shown``
    yet is left for the browser to fill when it is (``Picker.lazy``)."""
    if not shown:
        picker.lazy = True
        return picker
    try:
        picker.page = _search(request.principal, picker.kind, picker.query, page)
    except AccessDenied as exc:
        picker.denied = exc
    return picker


def picker_rows(request, kind: str):
    """A page of a picker's table, for the browser to put in place (an HTML fragment)."""
    if kind not in SEARCHES:
        raise Http404("No such picker.")
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    picker = Picker(
        kind=kind,
        field=request.GET.get("field", "")[:64],
        label="",
        multiple=request.GET.get("multiple", "1") == "1",
        prefix=request.GET.get("prefix", "")[:16],
        query=request.GET.get("q", "")[:128],
        attached={v[:2048] for v in request.GET.getlist("attached")[:50]},
    )
    picker_context(request, picker, page=page_number)
    status = 403 if picker.denied else 200
    return render(request, "includes/picker_body.html", {"picker": picker}, status=status)
