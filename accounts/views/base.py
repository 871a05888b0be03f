"""What console views share: rendering service errors into forms, no-store responses, the
up-front refusal of a page whose action the caller may not perform, and lists that a caller
may not see shown as AWS's message instead of the list."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers

from .. import authz
from ..errors import AccessDenied, IAMError
from ..identifiers import iam_arn
from ..services.paging import every_page


def refuse_unless(actor, action: str, kind: str | None = None, name: str = "", *, arn: str | None = None):
    """Refuse a form page up front (AccessDenied, audited) when the caller may not perform the
    action its form submits, on ``arn`` or on the ``kind``/``name`` resource of its account."""
    if arn is None:
        arn = "*" if kind is None else iam_arn(actor.account_id, kind, "/", name)
    authz.authorize(actor, action, arn)


def listed(list_fn, *args, **kwargs) -> tuple[list, str | None]:
    """Every item of a paged list service, or ([], AWS's message) when the caller may not list."""
    try:
        return every_page(list_fn, *args, **kwargs), None
    except AccessDenied as exc:
        return [], exc.message


def form_failed(request, template, context, form, exc: IAMError, field=None):
    """Re-render ``form`` with AWS's message for ``exc`` and AWS's 4xx status. A refusal keeps
    what was typed, as AWS's console does: the form again, AWS's AccessDenied above it (with
    why, for learners) and a 403."""
    if isinstance(exc, AccessDenied):
        form.add_error(None, exc.message)
        context["refusal"] = exc
        return render(request, template, context, status=403)
    form.add_error(field, exc.message)
    return render(request, template, context, status=exc.status if exc.status < 500 else 400)


def invalid(request, template, context):
    """A form that did not validate: show it again with a 400."""
    return render(request, template, context, status=400)


def confirmed_delete(request, template, context, delete, done_message, done_url):
    """The console's Delete page: type the name to confirm (``context["form"]``), then run
    ``delete()`` (the service's composite action); AWS's error re-renders the page."""
    form = context["form"]
    if request.method != "POST":
        return render(request, template, context)
    if not form.is_valid():
        return invalid(request, template, context)
    try:
        delete()
    except IAMError as exc:
        return form_failed(request, template, context, form, exc)
    messages.success(request, done_message)
    return redirect(done_url)


def no_store(response):
    """Mark a response that holds a secret so that no cache keeps it."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def console_base_url(request) -> str:
    return settings.CONSOLE_BASE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def signin_url(request, account: dict) -> str:
    """The account's sign-in URL (``/signin/<alias or ID>/``) on this console."""
    return f"{console_base_url(request)}/signin/{account['alias'] or account['account_id']}/"
