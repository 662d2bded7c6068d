"""A WorkDocsUser in the stack's state, as the core takes it: engine/state.py reads Pulumi's
format (resources, URNs, types, pending operations) and hands these over."""

from __future__ import annotations

from dataclasses import dataclass, field

from pulumi_workdocs.core.user import UserOutputs, as_outputs


@dataclass(frozen=True)
class StateUser:
    """Resource name (= username in the root stack), WorkDocs Id and stored outputs."""

    name: str
    id: str
    outputs: UserOutputs = field(default_factory=lambda: as_outputs({}))
    protect: bool = False
    # Nothing but its values can make a step: no taint, pending deletion or replacement, init errors...
    plain: bool = True
    pending_delete: bool = False  # the old half of a replacement, still to be deleted

    @property
    def username(self) -> str:
        return str(self.outputs.get("username") or self.name)
