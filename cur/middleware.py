import ipaddress

from rest_framework.throttling import BaseThrottle

from .audit import request_ip


class RequestContextMiddleware:
    """Remembers the client's IP for the duration of a request, so services can audit it
    without views passing the request down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


def client_ip(request) -> str | None:
    """The client's address as the nearest TRUSTED_PROXIES hops saw it (DRF's throttles use the same rule,
    REST_FRAMEWORK["NUM_PROXIES"]): a direct request's X-Forwarded-For is ignored, and behind N proxies only
    the address the outermost trusted proxy appended counts — what a client writes before it is not trusted."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # a proxy that passed garbage on: no address rather than a failed audit write
        return None
