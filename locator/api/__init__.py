"""The JSON API: nearest, paged facilities, visitors' reports and suggestions, OpenAPI."""
