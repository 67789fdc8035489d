"""The domain, free of Flask and SQL: a facility's columns, the category registry (its labels
read from the gettext catalogues without Flask), coordinates and distances, the nearest search,
opening hours as data, China's working days, navigate links, the clock.
"""
