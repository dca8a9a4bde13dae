"""The result of ``update`` or ``check``: one record, printed as text or as ``--json``.

Both commands fill the same fields, so a CI script reading ``--json`` sees the same shape
whichever it ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffold.update.plan import Plan


@dataclass
class Outcome:
    """The result of ``update`` or ``check``, printed as text or JSON."""

    status: str
    message: str
    recorded_templates: str | None = None
    installed_templates: str | None = None
    changes: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: What the templates changed (the pristine diff), before any merge with your edits.
    template_changes: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def describe(self, plan: Plan) -> None:
        """Take what ``plan`` would change, conflict on and bring from the templates."""
        self.changes = plan.change_list()
        self.template_changes = plan.template_change_list()
        self.conflicts = plan.conflicts
