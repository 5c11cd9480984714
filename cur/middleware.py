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
    # Behind the load balancer the proxy sets X-Forwarded-For; its first entry is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None
