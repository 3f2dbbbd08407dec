"""The header policy of every response (pages, API, static files), through flask-talisman.

Pages load scripts, styles and data only from this origin: the dashboard's scripts are
modules under /dashboard/static, its page config is a JSON ``<script>`` block (data, never
run), and the wallet is the browser's injected provider. Nothing may frame a page, the
browser must not sniff types, and referrers leave only as an origin. HSTS is sent in
production only, when the request arrived over HTTPS (directly or via a trusted proxy).
"""

from flask import Flask
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
talisman = Talisman()


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
