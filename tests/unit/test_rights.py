"""One table of rights: what the admin function checks, docs/rights.md and the staff page's
help all come from vhcore.staff.RIGHTS_TABLE."""

from __future__ import annotations

import ast
from pathlib import Path

from vhcore.staff import RIGHTS, RIGHTS_TABLE, Group, rights_markdown

REPO = Path(__file__).resolve().parents[2]


def test_docs_rights_md_is_generated_from_the_table() -> None:
    committed = (REPO / "docs" / "rights.md").read_text(encoding="utf-8")
    assert committed == rights_markdown(), "docs/rights.md is out of date: run make openapi"


def test_beheer_checks_and_does_not_handle_cases() -> None:
    beheer = {name for name, groups in RIGHTS.items() if Group.ADMINISTRATION in groups}
    assert beheer == {"audit", "figures", "erase"}
    assert RIGHTS["close"] == {Group.PROCESS_DIRECTION}
    # Who checks is not who is checked: no group both reads cases and reads the audit trail.
    assert not RIGHTS["read"] & RIGHTS["audit"]
    for right in RIGHTS_TABLE.values():
        assert right.groups and right.dutch and right.english and right.why


def test_every_right_is_checked_by_the_staff_api_and_every_check_names_a_right() -> None:
    source = (REPO / "functions" / "admin" / "admin_handler.py").read_text(encoding="utf-8")
    checked = {
        node.slice.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "RIGHTS"
        and isinstance(node.slice, ast.Constant)
    }
    case_actions = {"contact", "information-request", "information-received", "schedule"}
    # The case actions go through one checked helper: RIGHTS[action].
    assert checked | case_actions | {"decision", "close", "plan"} == set(RIGHTS)
