"""The few server-rendered pages of the auth layer (login, account, a refusal and the
neutral page quick exit lands on), as small inline Jinja2 templates.

Stand-ins until the real templates in ``web/templates`` take over: no inline script or
style (the CSP forbids both), every form a plain POST carrying ``csrf_token``, and a quick
exit link on every page but the neutral one.
"""

from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape
from litestar import MediaType, Response

_BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
</head>
<body>
<header><a href="/exit" rel="noreferrer">Leave now</a></header>
<main>
<h1>{{ title }}</h1>
{% block main %}{% endblock %}
</main>
</body>
</html>
"""

_LOGIN = """{% extends "base.html" %}
{% block main %}
{% if message %}<p role="alert">{{ message }}</p>{% endif %}
<form method="post" action="/login" autocomplete="off">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<p><label for="username">Username</label><br>
<input id="username" name="username" autocapitalize="none" autocorrect="off" required></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="off" required></p>
<p><button type="submit">Log in</button></p>
</form>
{% endblock %}
"""

_ACCOUNT = """{% extends "base.html" %}
{% block main %}
<p>Logged in as {{ principal.username }}.
{% if principal.role %}Role: {{ principal.role }}{% if reach %} ({{ reach }}){% endif %}.
{% else %}This account has no role yet; ask an admin.{% endif %}</p>
{% if new_token %}
<section>
<h2>Your new API token</h2>
<p>Copy it now: it is shown only once.</p>
<p><code>{{ new_token }}</code></p>
</section>
{% endif %}
<section>
<h2>API tokens</h2>
{% if tokens %}
<ul>
{% for t in tokens %}
<li>{{ t.label or "Token" }}, created {{ t.created_at.strftime("%Y-%m-%d") }}
{%- if t.last_used_at %}, last used {{ t.last_used_at.strftime("%Y-%m-%d") }}{% endif %}
<form method="post" action="/account/tokens/{{ t.id }}/revoke">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<button type="submit">Revoke</button>
</form></li>
{% endfor %}
</ul>
{% else %}<p>No API tokens.</p>{% endif %}
<form method="post" action="/account/tokens">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<p><label for="label">Label</label><br><input id="label" name="label" maxlength="80"></p>
<p><button type="submit">Create an API token</button></p>
</form>
</section>
<form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="{{ csrf_token }}">
<p><button type="submit">Log out</button></p>
</form>
{% endblock %}
"""

_MESSAGE = """{% extends "base.html" %}
{% block main %}
<p>{{ message }}</p>
{% if principal %}<p><a href="/account">Your account</a></p>
{% else %}<p><a href="/login">Log in</a></p>{% endif %}
{% endblock %}
"""

# Plain and harmless: nothing on it points back to the app.
_WEATHER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Weather</title>
</head>
<body>
<h1>Weather</h1>
<p>Today: partly cloudy, light wind. Chance of a shower in the afternoon.</p>
<p>Tomorrow: sunny spells, warm. Drink water and keep out of the midday sun.</p>
</body>
</html>
"""

_ENV = Environment(
    loader=DictLoader({"base.html": _BASE, "login.html": _LOGIN, "account.html": _ACCOUNT,
                       "message.html": _MESSAGE, "weather.html": _WEATHER}),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def render(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(**context)


def page(name: str, *, status_code: int = 200, headers: dict[str, str] | None = None,
         cookies: list | None = None, **context: Any) -> Response:
    return Response(render(name, **context), status_code=status_code, media_type=MediaType.HTML,
                    headers=headers, cookies=cookies)
