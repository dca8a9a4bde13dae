"""``scaffold serve``: the catalogue as a web page (the optional ``scaffold[web]`` extra).

``form`` turns a query string into checked answers with the CLI's own checks, ``renderer``
renders them with the CLI's own render path in a killable child process, and ``app`` is the
Starlette application that serves the page, its API and the zip.
"""
