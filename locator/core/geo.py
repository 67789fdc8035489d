"""Datums (WGS-84, GCJ-02, BD-09) and geodesic distance. Arguments are (lat, lon) everywhere.

The store holds WGS-84 only; these functions convert what Chinese maps show into it.

Why our own GCJ-02 code rather than a PyPI package: the formula is public and short
(Krasovsky-1940 ellipsoid, the one every implementation copies), and the packages we
looked at either stop their inverse iteration early (prcoords: 1e-5 deg, about a metre)
or offer only the one-step approximation (eviltransform's gcj2wgs, coord-convert).
We need the exact inverse, so we iterate the forward transform to 1e-10 degrees.
Published reference points checked in tests/unit/test_geo.py keep this honest.
"""

import math

from pyproj import Geod

_KRASOVSKY_A = 6378245.0  # semi-major axis, metres
_KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_DLAT = 0.0060
_BD_DLON = 0.0065

# Stop iterating once the forward transform of our answer is this close to the input:
# 1e-10 degrees is about 0.01 mm, far below any survey or GPS error.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_STEPS = 30


def out_of_china(lat: float, lon: float) -> bool:
    """True where GCJ-02 is the identity (the bounding box every implementation uses)."""
    return not (0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347)


def _gcj_offset_m(x: float, y: float) -> tuple[float, float]:
    """The GCJ-02 distortion in metres (north, east), for x = lon - 105, y = lat - 35."""
    common = 20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    north += (common
              + 20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)
              + 160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)
              ) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    east += (common
             + 20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)
             + 150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)
             ) * 2.0 / 3.0
    return north, east


def _wgs_to_gcj_unchecked(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 forward formula with no out-of-China test (the inverse iterates on it)."""
    north_m, east_m = _gcj_offset_m(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1.0 - _KRASOVSKY_EE * math.sin(rad_lat) ** 2
    # Metres per degree on the Krasovsky ellipsoid (meridian and parallel arcs).
    m_per_deg_lat = math.radians(_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / magic ** 1.5)
    m_per_deg_lon = math.radians(_KRASOVSKY_A * math.cos(rad_lat) / math.sqrt(magic))
    return lat + north_m / m_per_deg_lat, lon + east_m / m_per_deg_lon


def _gcj_to_bd(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 forward formula from GCJ-02 (Baidu applies it everywhere, in China or not)."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _BD_X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_X_PI)
    return z * math.sin(theta) + _BD_DLAT, z * math.cos(theta) + _BD_DLON


def _invert(forward, lat: float, lon: float) -> tuple[float, float]:
    """Solve forward(p) == (lat, lon) by fixed-point iteration (the Jacobian is ~identity)."""
    guess_lat, guess_lon = lat, lon
    for _ in range(_INVERSE_MAX_STEPS):
        f_lat, f_lon = forward(guess_lat, guess_lon)
        err_lat, err_lon = f_lat - lat, f_lon - lon
        if max(abs(err_lat), abs(err_lon)) < _INVERSE_TOLERANCE_DEG:
            break
        guess_lat, guess_lon = guess_lat - err_lat, guess_lon - err_lon
    return guess_lat, guess_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (AMap, Tencent); identity outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    return _wgs_to_gcj_unchecked(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84, the exact iterative inverse; identity outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    return _invert(_wgs_to_gcj_unchecked, lat, lon)


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu)."""
    return _gcj_to_bd(lat, lon)


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 → GCJ-02, the exact iterative inverse."""
    return _invert(_gcj_to_bd, lat, lon)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 → BD-09, via GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """BD-09 → WGS-84, via GCJ-02, both steps exact."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


# The coordinate systems a facility may be given in, and each one's way to WGS-84: the one
# table the importer, the console's form and the API's documentation read.
TO_WGS84 = {
    "wgs84": lambda lat, lon: (lat, lon),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
SYSTEMS = tuple(TO_WGS84)


def to_wgs84(lat: float, lon: float, system: str) -> tuple[float, float]:
    """Convert a point given in `system` ("wgs84", "gcj02" or "bd09") to WGS-84."""
    try:
        convert = TO_WGS84[system]
    except KeyError:
        raise ValueError(
            f"unknown coordinate system {system!r}; use one of {', '.join(SYSTEMS)}"
        ) from None
    return convert(lat, lon)


_WGS84 = Geod(ellps="WGS84")


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres on the WGS-84 ellipsoid (Karney's geodesic, as geopy uses)."""
    # PROJ's C port of Karney's GeographicLib: the same method as geopy/geographiclib (the
    # tests hold it to 1 mm of geopy), in C rather than pure Python: it runs per candidate.
    return _WGS84.inv(lon1, lat1, lon2, lat2)[2]
