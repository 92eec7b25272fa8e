from core.errors import NotFound, RoostError, ServiceUnavailable


def error_status(error: RoostError) -> int:
    """A server that cannot be reached is 503; what is not there 404; anything else the request's fault."""
    if isinstance(error, ServiceUnavailable):
        return 503
    if isinstance(error, NotFound):
        return 404
    return 400
