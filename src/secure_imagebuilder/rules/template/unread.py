"""CFN2: no part of the template goes unchecked because the pack cannot read it (R5)."""

from __future__ import annotations

from secure_imagebuilder.rules.engine.model import (
    STACK_TYPE,
    Level,
    Resource,
    Rule,
    RuleResult,
    Stack,
    Violation,
)


def unread(resource: Resource, stack: Stack) -> RuleResult:
    """Reported on the stack: one finding per part of the template the rules could not see.

    A ``Fn::ForEach`` loop over a collection only known at deploy time, a macro (``Transform`` other than
    ``AWS::LanguageExtensions``, which is expanded) whose output the template does not hold, a nested
    stack whose template is not part of the scan (a cloud assembly includes them; a plain template does
    not). The resources they would create were not checked by any rule.
    """
    return [Violation(part.where, part.why) for part in stack.unread]


RULE = Rule(
    id="CFN2",
    level=Level.WARNING,
    refs=("R5",),
    info="Part of the template could not be read, so no rule checked what it creates.",
    explanation=(
        "R5: scan what CloudFormation deploys: the cloud assembly (cdk.out, nested stacks included), the "
        "processed template of a macro (aws cloudformation get-template --template-stage Processed), or a "
        "loop over a literal list; acknowledge DataProtection-CFN2 with a reason if another check covers it."
    ),
    applies_to=(STACK_TYPE,),
    check=unread,
    unknown="This rule reports exactly what could not be read.",
)
