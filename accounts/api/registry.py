"""Which handler serves ``(service, Action)``: the IAM and STS tables, and the tables other
apps of the project register (EC2, …) from their ``AppConfig.ready``. The endpoint reads only
this registry, so ``accounts`` never imports the apps built on it."""

_handlers: dict[tuple[str, str], object] = {}


def register(service: str, handlers: dict) -> None:
    """Serve ``service``'s actions with ``handlers`` (``{Action: handler(actor, params, info)}``)."""
    for action, handler in handlers.items():
        _handlers[(service, action)] = handler


def handler_for(service: str, action: str):
    return _handlers.get((service, action))


def services() -> frozenset[str]:
    return frozenset(service for service, _ in _handlers)


def actions(service: str) -> list[str]:
    return sorted(action for svc, action in _handlers if svc == service)
