"""What ``explain`` answers, as data: each key, what it encrypts, who can use it, how, and what is flagged.

Every front end (text, JSON, Mermaid, HTML, the evidence report) renders these objects; none of them
decides anything. Ids are stable strings (stack, kind, logical id or ARN), unique in one answer, so a
diagram's node and a JSON entry name the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secure_imagebuilder.rules.engine.policy import Request

# What a flag says. "public" (KMS4), "no-context" (KMS5, IAM1), "missing-grant" (GRANT1-3), "outside-key"
# (GRANT4) link the finding; "cross-account" marks a principal of an account other than the template's.
FLAG_KINDS = ("public", "cross-account", "no-context", "missing-grant", "outside-key", "undecided")


@dataclass(frozen=True)
class Flag:
    """Something the pack reports (``finding`` is its id) or a reviewer must see (cross-account)."""

    kind: str
    message: str
    finding: str | None = None
    level: str | None = None
    acknowledged: str | None = None  # the reason, when the finding is acknowledged
    statement: str | None = None  # the statement label the finding names


@dataclass(frozen=True)
class StatementRef:
    """One statement that decides an access: which policy, where it is written, and its conditions."""

    side: str  # "key-policy", "identity-policy" or "boundary"
    policy: str  # the evaluator's label of the policy (``key policy of Key``, ``RolePolicy``, ...)
    sid: str  # the Sid, else the content-hash label ``Statement-<8 hex>``, else ``statement <n>``
    logical_id: str | None  # the resource that holds it; None for an AWS managed policy
    template: str
    line: int | None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Probe:
    """A request shape by which the data of a resource is used, for any principal (or only ``caller``)."""

    action: str
    context: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    caller: str | None = None  # only this principal makes it (a service that encrypts for itself)

    def request(self, principal: str, key_arn: str, extra: tuple[tuple[str, str], ...] = ()) -> Request:
        """The request ``principal`` makes on the key (``extra``: keys the principal's requests carry)."""
        context = {k: list(val) if isinstance(val, tuple) else val for k, val in (*self.context, *extra)}
        return Request(self.action, principal, key_arn, context)


@dataclass
class Use:
    """A resource whose data a key protects, and the requests that reach that data."""

    id: str
    logical_id: str
    type: str
    kind: str  # "workflow", "component", "log group", "EBS volumes", ...
    arn: str
    property: str  # where it names the key: ``KmsKeyId``, ``BlockDeviceMappings[].Ebs.KmsKeyId``, ...
    probes: tuple[Probe, ...] = field(default=(), repr=False)


@dataclass
class Access:
    """What one principal can do with one key by one path: actions, the data reached, and why."""

    actions: list[str]
    allowed: bool | None  # True; None: undecided; False: a build needs it and it is denied
    policies: str  # "key-policy", "key-policy+identity-policy" or "identity-policy" (a key outside)
    via: list[str] = field(default_factory=list)  # services the calls must go through
    grant: bool = False  # the access is the right to create grants
    conditions: list[str] = field(default_factory=list)
    reaches: list[str] = field(default_factory=list)  # ids of the Uses whose data it reaches
    statements: list[StatementRef] = field(default_factory=list)  # the statements that decide it
    also: list[StatementRef] = field(default_factory=list)  # identity statements that allow it too
    when: list[str] = field(default_factory=list)  # the condition branches or parameter values it needs
    reason: str = ""
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Principal:
    """Who: a role, an account (its IAM policies decide), a service, or anyone."""

    id: str
    principal: str  # an IAM ARN, a service principal, or "*"
    kind: str  # "role", "user", "group", "account", "service", "organization", "anyone", ...
    label: str
    account: str | None
    logical_id: str | None = None
    access: list[Access] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


@dataclass
class Key:
    """One KMS key in scope: created in the template, or named from outside it."""

    id: str
    logical_id: str | None
    arn: str
    origin: str  # "template" or "outside"
    construct_path: str | None = None
    line: int | None = None
    uses: list[Use] = field(default_factory=list)
    principals: list[Principal] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def public(self) -> bool:
        """A principal of an account the key policy does not name can use it (KMS4)."""
        return any(flag.kind == "public" for flag in self.flags)


@dataclass
class StackAccess:
    """The keys of one stack and who can use them."""

    name: str
    template: str
    keys: list[Key] = field(default_factory=list)
