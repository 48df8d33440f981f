"""The Litestar app: JSON API routes grouped by area, and (later) the pages for leaders."""
