"""The public pages: nearest, category lists, facility pages, the overview map."""
