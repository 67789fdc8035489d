"""A visitor's query: its parameters, the origin (position, facility or place), the optional
geocoder, the nearest search and what a result shows.
"""
