"""Rows with an address and no coordinates, placed by a geocoder the caller hands in.

Ingest imports no store, no Flask and no provider: the caller passes `locate`, which takes the
distinct addresses and answers each with a Placed (a WGS-84 point, how precise) or an Unplaced
(why not: not found, provider unavailable), from its cache or its geocoder. The coord_source
column's values are checked here too.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from locator.ingest import vocabulary
from locator.ingest.problems import N_, Caution, Problem, Stored

GEOCODED = "geocoded"
# A geocoded point this coarse is kept, with a warning: the admin checks it on the preview map.
COARSE = {
    "street": N_("the geocoder found %(address)r only as a street or village (%(level)s): the "
                 "point is its centre, stored as given — check it on the preview map, or give "
                 "lat and lon"),
    "district": N_("the geocoder found %(address)r only as a town or district (%(level)s): "
                   "the point is its centre, stored as given — check it on the preview map, or "
                   "give lat and lon"),
    "city": N_("the geocoder found %(address)r only as a city or wider (%(level)s): the point "
               "is its centre, stored as given — check it on the preview map, or give lat and "
               "lon"),
}


@dataclass(frozen=True)
class Placed:
    """Where a geocoder put an address, in WGS-84, and how precisely."""

    lat: float
    lon: float
    precision: str  # exact | street | district | city
    level: str  # the provider's own level (门牌号, 道路, 区县…)
    label: str  # the provider's name for the place
    inside: bool  # within the service area
    provider: str = ""


@dataclass(frozen=True)
class Unplaced:
    """Why an address has no point: a gettext msgid with its %(name)s parameters."""

    message: str
    params: Mapping | None = None

    def problem(self, line: int) -> Problem:
        """This reason as an error on `line`."""
        return Problem(line, "address", self.message, dict(self.params or {}))


Locate = Callable[[list[str]], Mapping[str, Placed | Unplaced]]


@dataclass
class Placing:
    """What placing the rows found: the point of each placed line, its errors and warnings."""

    placed: dict[int, Placed]
    errors: list[Problem]
    warnings: list[Caution]


def wanting(rows: list[list[str]], positions: Mapping[str, int]) -> list[int]:
    """Indexes of the rows with an address and both lat and lon blank."""
    if "address" not in positions or "lat" not in positions or "lon" not in positions:
        return []
    lat, lon, address = positions["lat"], positions["lon"], positions["address"]
    return [i for i, row in enumerate(rows)
            if not row[lat].strip() and not row[lon].strip() and row[address].strip()]


def place(rows: list[list[str]], lines: list[int], positions: Mapping[str, int],
          locate: Locate | None) -> Placing:
    """Fill lat, lon (and coord_system wgs84) of each row that wants placing, in `rows`."""
    indexes = wanting(rows, positions)
    out = Placing({}, [], [])
    if not indexes:
        return out
    if locate is None:
        out.errors.extend(Problem(lines[i], "address", N_(
            "lat and lon are empty and no geocoder is configured (LOCATOR_GEOCODER) to place "
            "the address — give lat and lon, or ask the operator to set one up"))
            for i in indexes)
        return out
    addresses = [rows[i][positions["address"]].strip() for i in indexes]
    answers = locate(list(dict.fromkeys(addresses)))
    for i, address in zip(indexes, addresses, strict=True):
        answer = answers[address]
        if isinstance(answer, Unplaced):
            out.errors.append(answer.problem(lines[i]))
        elif not answer.inside:
            out.errors.append(_outside(lines[i], address, answer))
        else:
            rows[i] = list(rows[i])  # the table's own row stays as the file had it
            _fill(rows[i], positions, answer)
            out.placed[lines[i]] = answer
            if answer.precision in COARSE:
                out.warnings.append(_coarse(lines[i], address, answer))
    return out


def _fill(row: list[str], positions: Mapping[str, int], answer: Placed) -> None:
    """Write the WGS-84 point into the row's cells, as if the file had held it."""
    row[positions["lat"]] = repr(answer.lat)
    row[positions["lon"]] = repr(answer.lon)
    if "coord_system" in positions:
        row[positions["coord_system"]] = "wgs84"


def _outside(line: int, address: str, answer: Placed) -> Problem:
    """The geocoder placed the address outside the service area: wrong place, most likely."""
    return Problem(line, "address", N_(
        "the geocoder placed %(address)r at %(lat).5f, %(lon).5f (%(label)s), outside the "
        "service area — make the address more specific (with 江门市新会区), or give lat and "
        "lon"), {"address": address, "lat": answer.lat, "lon": answer.lon,
                 "label": answer.label})


def _coarse(line: int, address: str, answer: Placed) -> Caution:
    """The geocoder found only an area (a road, a town) for the address: a warning; the
    address is kept as written and the area's point stored, for the admin to move."""
    return Caution(line, "address", COARSE[answer.precision],
                   {"address": address, "level": answer.level}, stored=Stored.AS_WRITTEN)


def normalise_sources(values: list[str], lines: list[int]) -> tuple[list[str], list[Problem]]:
    """coord_source: blank stays blank; a code, its label or a synonym → the code."""
    read = vocabulary.reader("coord_source")
    codes = {v: read(v) if v else "" for v in set(values)}
    return [codes[v] if codes[v] is not None else v for v in values], [
        Problem(line, "coord_source", N_(
            "unknown coord_source %(value)r — use one of: %(valid)s (blank means not stated)"),
            {"value": value, "valid": vocabulary.choices("coord_source")})
        for value, line in zip(values, lines, strict=True) if codes[value] is None]
