"""Addresses to WGS-84 points through one of four providers (AMap, Baidu, Tianditu, Nominatim),
free of Flask and SQL: the settings, one adapter a provider, one result type, the rate limit and
the batch (`geocode_many`). Callers pass a GeocoderSettings; nothing here reads app config.
"""
