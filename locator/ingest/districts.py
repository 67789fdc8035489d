"""The district column and what an import may do to districts: each row's district checked
(blank → the default), rows outside the admin's scope refused, ids kept unique across
districts, and which districts a replace replaces."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from locator.core import districts
from locator.ingest.problems import N_, Problem


@dataclass(frozen=True)
class DistrictRule:
    """What the district column accepts: `default` for a blank cell ('' = none, the cell is
    then required) and, when `known` is not empty, only those names."""

    default: str = districts.DEFAULT_DISTRICT
    known: tuple[str, ...] = ()


DEFAULT_RULE = DistrictRule()


def normalise(values: list[str], lines: list[int],
              rule: DistrictRule) -> tuple[list[str], list[Problem]]:
    """Each row's district: blank → the default; an unknown or malformed name is an error."""
    verdicts = {v: _judge(v, rule) for v in set(values)}
    out = [rule.default if not v else v for v in values]
    return out, [Problem(line, "district", *verdicts[value])
                 for value, line in zip(values, lines, strict=True) if verdicts[value]]


def _judge(value: str, rule: DistrictRule) -> tuple[str, dict] | None:
    """None for an accepted value, else the message and its parameters."""
    if not value:
        if rule.default:
            return None
        return N_("district is empty and no default district is set — fill in the district "
                  "(for example %(example)s), or have the operator set "
                  "LOCATOR_DEFAULT_DISTRICT"), {"example": districts.DEFAULT_DISTRICT}
    if rule.known and value not in rule.known:
        return N_("unknown district %(value)r — use one of: %(valid)s"), {
            "value": value, "valid": "、".join(rule.known)}
    if not districts.well_formed(value):
        return N_("district %(value)r is not a district's name — write the full name of the "
                  "district or county, ending in %(endings)s (for example %(example)s)"), {
            "value": value, "endings": "、".join(districts.ENDINGS),
            "example": districts.DEFAULT_DISTRICT}
    return None


def scope_problems(records: Sequence[dict], lines: Sequence[int],
                   scope: Sequence[str] | None) -> list[Problem]:
    """A row in a district the admin may not change is an error naming their districts."""
    if scope is None:
        return []
    allowed = "、".join(scope)
    return [Problem(line, "district", N_(
        "district %(value)s is outside your districts (%(allowed)s) — remove this row, or "
        "ask an admin of %(value)s to import it"), {"value": r["district"], "allowed": allowed})
        for r, line in zip(records, lines, strict=True)
        if not districts.in_scope(r["district"], scope)]


def clash_problems(records: Sequence[dict], lines: Sequence[int], current: Mapping[str, dict],
                   covered: Sequence[str]) -> list[Problem]:
    """An id stored in a district the import does not cover is an error: ids stay unique
    across districts (a file covering both districts may move a facility between them)."""
    problems = []
    for record, line in zip(records, lines, strict=True):
        stored = current.get(record["id"])
        if (stored is not None and stored["district"] != record["district"]
                and stored["district"] not in covered):
            problems.append(Problem(line, "id", N_(
                "id %(value)r already belongs to a facility in %(other)s, not %(district)s — "
                "ids are unique across districts: give this facility another id, or keep it in "
                "%(other)s"), {"value": record["id"], "other": stored["district"],
                                               "district": record["district"]}))
    return problems


def replaced(records: Sequence[dict], scope: Sequence[str] | None,
             current: Mapping[str, dict]) -> tuple[str, ...]:
    """The districts a replace replaces, sorted: those its rows are in; with no rows (an
    import allowed to be empty), the admin's districts, or every stored district."""
    if records:
        return tuple(sorted({r["district"] for r in records}))
    if scope is not None:
        return tuple(sorted(scope))
    return tuple(sorted({r["district"] for r in current.values()}))


def touched(records: Sequence[dict]) -> tuple[str, ...]:
    """The districts a merge writes to, sorted."""
    return tuple(sorted({r["district"] for r in records}))
