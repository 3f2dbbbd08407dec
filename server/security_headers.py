"""The header policy of every response (pages, API, static files), through flask-talisman.

Pages load scripts, styles and data only from this origin: the dashboard's scripts are
modules under /dashboard/static, its page config is a JSON ``<script>`` block (data, never
run), and the wallet is the browser's injected provider. Nothing may frame a page, the
browser must not sniff types, and referrers leave only as an origin. HSTS is sent in
production only, when the request arrived over HTTPS (directly or via a trusted proxy).
"""

from flask import Flask, Response, current_app, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class _Talisman(Talisman):
    """flask-talisman with its header set worked out once instead of on every response.

    No view here sets options of its own (talisman's view decorator) and no nonce is used, so
    every response gets the same headers except HSTS, which depends on whether the request
    came over HTTPS. Talisman's own code computes the set, on an empty response, the first
    time each case is seen; a view with its own options still goes through talisman in full.
    """

    def __init__(self) -> None:
        super().__init__()
        self._header_sets: dict[tuple, list[tuple[str, str]]] = {}
        self._header_names: set[str] = set()

    def init_app(self, app: Flask, **options) -> None:
        """Talisman's init; a new policy forgets the header sets worked out for the old one.
        The session cookie's Secure flag, which talisman sets on every request, is set here."""
        self._header_sets.clear()
        self._header_names.clear()
        super().init_app(app, **options)
        if self.session_cookie_secure and not app.debug:
            app.config["SESSION_COOKIE_SECURE"] = True

    def _own_options(self) -> bool:
        """Whether the request's view sets talisman options of its own."""
        view = current_app.view_functions.get(request.endpoint)
        return bool(getattr(view, "talisman_view_options", None))

    def _force_https(self):
        """Talisman's HTTPS redirect, skipped outright when it is off (it is: TLS ends at the
        proxy) and no view turns it on."""
        if self.force_https or self._own_options():
            return super()._force_https()
        return None

    def _set_response_headers(self, response):
        """The cached header set of this kind of request, or talisman in full for a view with
        its own options."""
        if self._own_options():
            return super()._set_response_headers(response)
        key = (request.is_secure, request.headers.get("X-Forwarded-Proto", "http") == "https")
        headers = self._header_sets.get(key)
        if headers is None:
            probe = super()._set_response_headers(Response())
            skip = {"content-type", "content-length"}
            headers = [(k, v) for k, v in probe.headers.items() if k.lower() not in skip]
            self._header_sets[key] = headers
            self._header_names.update(name.lower() for name, _ in headers)
        present = {name.lower() for name, _ in response.headers}
        if present.isdisjoint(self._header_names):  # the usual case: no scan per header
            response.headers.extend(headers)
        else:
            for name, value in headers:
                response.headers[name] = value
        return response


talisman = _Talisman()


def init_security(app: Flask) -> None:
    """Trust the configured number of proxies for the client address and scheme, then apply
    the header policy."""
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    production = app.config["ENV_NAME"] == "production"
    talisman.init_app(
        app,
        # TLS ends at the proxy; redirecting here would loop behind one that speaks HTTP.
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=int(app.config["HSTS_MAX_AGE"]),
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=production,
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
