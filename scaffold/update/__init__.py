"""``scaffold update`` and ``scaffold check``: bring a generated project up to the installed
templates with git's own three-way merge, losing no user edit.

The design is JHipster's pristine baseline branch. ``scaffold new`` commits the untouched render
and keeps it on the ``scaffold/pristine`` branch. ``update`` renders the installed templates
(with the recorded answers, plus any ``--set``/``--with``) into a temporary directory, writes
that tree and the merge with the user's branch as git objects in a throw-away store, checks
everything, and only then moves refs and files (docs/update.md has the contract: exit 0 merged
and committed, 1 conflicts left in a merge in progress, 2 refused with nothing changed). The
merge base is the previous pristine render, so git sees exactly what the templates changed.

Copier's own ``update`` was not used: it needs the *old* template version from a git repository
(a wheel has none) and, in Copier 9, it silently resets a binary file the user modified and
deletes an edited file when a feature is switched off. See docs/update.md.

The path of an update through the modules, each owning one step:

- :mod:`.project`: the answers file, validated whole; the names of the refs and files;
- :mod:`.preflight`: the refusals decided up front (repository state, files in the way);
- :mod:`.plan`: the pristine render and the merge preview, in a scratch object store;
- :mod:`.merge`: the ref and file moves, undone on failure or signal;
- :mod:`.lockfile`: whether ``uv.lock`` is current, and relocking after the merge;
- :mod:`.run` (``update``) and :mod:`.check` (``check``) put them in order;
- :mod:`.command`: the typer commands; :mod:`.outcome` and :mod:`.errors`: what they report.
"""

from scaffold.update.command import register

__all__ = ["register"]
