"""The organising-strength indicators (DOMAIN.md): the rubric (``rubric.py``, with the
default ``rubric.toml``), the pure scoring (``scoring.py``) and the view that keeps the
facts and the weekly series and reads them (``view.py``)."""
