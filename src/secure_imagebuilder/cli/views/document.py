"""``explain --format json``: the answer as JSON, valid against docs/explain.schema.json (version 1).

Keys are camelCase like ``scan``'s JSON; fields are only ever added within a schema version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from secure_imagebuilder.explain.model import Access, Flag, Key, Principal, StackAccess, StatementRef, Use
from secure_imagebuilder.rules.engine.policy import ACCOUNT, PARTITION, REGION

SCHEMA_VERSION = 1


def render(answers: Sequence[StackAccess], version: str) -> str:
    """The JSON text of the answer."""
    return json.dumps(as_dict(answers, version), indent=2) + "\n"


def as_dict(answers: Sequence[StackAccess], version: str) -> dict[str, Any]:
    """The answer as plain data."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "secure-imagebuilder", "version": version},
        "view": {"account": ACCOUNT, "region": REGION, "partition": PARTITION},
        "stacks": [
            {"stack": a.name, "template": a.template, "keys": [_key(k) for k in a.keys]} for a in answers
        ],
    }


def _key(key: Key) -> dict[str, Any]:
    return {
        "id": key.id,
        "logicalId": key.logical_id,
        "arn": key.arn,
        "origin": key.origin,
        "constructPath": key.construct_path,
        "line": key.line,
        "public": key.public,
        "encrypts": [_use(use) for use in key.uses],
        "principals": [_principal(p) for p in key.principals],
        "flags": [_flag(flag) for flag in key.flags],
    }


def _use(use: Use) -> dict[str, Any]:
    return {
        "id": use.id,
        "logicalId": use.logical_id,
        "type": use.type,
        "kind": use.kind,
        "arn": use.arn,
        "property": use.property,
    }


def _principal(principal: Principal) -> dict[str, Any]:
    return {
        "id": principal.id,
        "principal": principal.principal,
        "kind": principal.kind,
        "label": principal.label,
        "account": principal.account,
        "logicalId": principal.logical_id,
        "access": [_access(a) for a in principal.access],
        "flags": [_flag(flag) for flag in principal.flags],
    }


def _access(access: Access) -> dict[str, Any]:
    return {
        "actions": access.actions,
        "allowed": access.allowed,
        "path": {"policies": access.policies, "via": access.via, "grant": access.grant},
        "conditions": access.conditions,
        "reaches": access.reaches,
        "statements": [_ref(ref) for ref in access.statements],
        "alsoAllowedBy": [_ref(ref) for ref in access.also],
        "when": access.when,
        "reason": access.reason,
        "flags": [_flag(flag) for flag in access.flags],
    }


def _ref(ref: StatementRef) -> dict[str, Any]:
    return {
        "side": ref.side,
        "policy": ref.policy,
        "sid": ref.sid,
        "logicalId": ref.logical_id,
        "template": ref.template,
        "line": ref.line,
        "conditions": list(ref.conditions),
    }


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "kind": flag.kind,
        "message": flag.message,
        "finding": flag.finding,
        "level": flag.level,
        "acknowledged": flag.acknowledged,
        "statement": flag.statement,
    }
