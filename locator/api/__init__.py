"""The JSON API: nearest, paged facilities, OpenAPI description."""
