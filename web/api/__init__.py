"""The JSON API under ``/api/v1/``: one POST route per command, GET routes to read."""
