"""The page, built from the catalogue: one control per question, one per choice.

Each question's prompt labels its control and its help describes it; each choice carries its
own help and an empty slot where the page's script writes the reason a rule rules it out.
Nothing here knows any particular option, so a new option or rule shows up without a change.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape

from scaffold import __version__
from scaffold.catalogue import OPTIONS, Option, defaults


def _text(option: Option) -> str:
    key = escape(option.key)
    hint = f" Must be {option.pattern_help}." if option.pattern_help else ""
    return f"""
    <div class="field kind-text" id="field-{key}">
      <label for="opt-{key}">{escape(option.prompt)}</label>
      <input id="opt-{key}" name="{key}" type="text" value="{escape(str(option.default))}"
        autocomplete="off" spellcheck="false" aria-describedby="help-{key} error-{key}">
      <p class="help" id="help-{key}">{escape(option.help + hint)}</p>
      <p class="error" id="error-{key}" aria-live="polite"></p>
    </div>"""


def _choices(option: Option) -> str:
    key = escape(option.key)
    kind = "checkbox" if option.kind == "multi" else "radio"
    items = []
    for choice in option.choices:
        value = escape(choice.value)
        ident = f"{key}-{value}"
        selected = (
            choice.value in option.default
            if option.kind == "multi"
            else choice.value == option.default
        )
        items.append(f"""
        <label class="choice" for="opt-{ident}">
          <input type="{kind}" id="opt-{ident}" name="{key}" value="{value}"
            {"checked" if selected else ""} aria-labelledby="name-{ident}"
            aria-describedby="desc-{ident} reason-{ident}">
          <span class="name" id="name-{ident}">{escape(choice.label)}</span>
          <span class="desc" id="desc-{ident}">{escape(choice.help)}</span>
          <span class="reason" id="reason-{ident}"></span>
        </label>""")
    return f"""
    <fieldset class="field kind-{escape(option.kind)}" id="field-{key}"
      aria-describedby="help-{key}">
      <legend>{escape(option.prompt)}</legend>
      <p class="help" id="help-{key}">{escape(option.help)}</p>
      <div class="choices">{"".join(items)}
      </div>
      <p class="error" id="error-{key}" aria-live="polite"></p>
    </fieldset>"""


@cache
def html() -> str:
    """The whole page (the same for every request: answers are applied by the script)."""
    fields = "".join(_text(o) if o.kind == "text" else _choices(o) for o in OPTIONS)
    data = escape(json.dumps(defaults()), quote=True)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>scaffold: new Python backend</title>
  <link rel="stylesheet" href="/static/style.css">
  <script src="/static/app.js" defer></script>
</head>
<body>
  <header>
    <h1>scaffold <small>{escape(__version__)}</small></h1>
    <p>Choose, preview and download a Python backend whose own tests pass.</p>
  </header>
  <main>
    <form id="answers" data-defaults="{data}" novalidate>{fields}
    </form>
    <aside aria-label="Project">
      <h2 id="command-heading">Command line</h2>
      <pre class="command"><code id="command" aria-labelledby="command-heading"></code></pre>
      <p class="error" id="rule-error" aria-live="polite"></p>
      <div class="actions">
        <button type="button" id="explore" aria-expanded="false"
          aria-controls="explorer">Explore</button>
        <a id="download" class="button" href="/download" download>Download zip</a>
        <button type="button" id="copy-command">Copy command</button>
        <button type="button" id="share">Copy share link</button>
      </div>
      <p class="note">The zip holds what <code>scaffold new --no-git</code> writes, with
        <code>uv.lock</code>; Explore shows the same files before <code>uv lock</code>.</p>
      <p id="status" role="status" aria-live="polite"></p>
    </aside>
    <section id="explorer" aria-labelledby="explorer-heading" hidden>
      <h2 id="explorer-heading">Explore <span id="explore-name"></span></h2>
      <nav aria-label="Files"><ul id="tree"></ul></nav>
      <div class="viewer">
        <h3 id="file-name">Choose a file</h3>
        <pre id="file-content" tabindex="0" aria-labelledby="file-name"></pre>
      </div>
    </section>
  </main>
</body>
</html>
"""
