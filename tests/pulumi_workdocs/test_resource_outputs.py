"""WorkDocsUser's generated annotations are ones Pulumi can translate outputs with.

Pulumi reads a resource's ``pulumi.Output[...]`` annotations at run time: a structure annotated
as a TypedDict makes every user with a storage rule fail. Pulumi's mocks stand in for the engine,
in a subprocess so their global settings touch no other test.
"""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import pulumi
from pulumi_workdocs.resource import WorkDocsUser

RULE = {"storage_type": "QUOTA", "storage_allocated_in_bytes": 1099511627776.0}


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        outs = {**args.inputs, "root_folder_id": "f-1", "storage_utilized_in_bytes": 0.0, "storage_rule": RULE}
        outs.pop("password", None)
        return f"{args.name}-id", outs

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), preview=False)


@pulumi.runtime.test
def check():
    user = WorkDocsUser("alice", organization_id="d-1234567890", username="alice", given_name="Alice",
                        surname="L", password="Initial-Passw0rd", storage_rule=RULE, adopt=True)

    def seen(values):
        assert values == [RULE, 0, True, "f-1", "ACTIVE", None], values
        print("translated")

    return pulumi.Output.all(user.storage_rule, user.storage_utilized_in_bytes, user.adopt, user.root_folder_id,
                             user.status, user.locale).apply(seen)


check()
"""


def test_a_users_outputs_translate_with_the_generated_annotations() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "translated" in done.stdout
