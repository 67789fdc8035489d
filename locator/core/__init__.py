"""The domain, free of Flask and SQL: a facility's columns, the categories, coordinates and
distances, the nearest search, opening hours, China's working days, navigate links, the clock.
"""
