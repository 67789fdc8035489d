"""Maps without a third-party host: base-map tiles, positions in the base map's datum, marker data,
and the folium shells the pages draw.
"""
