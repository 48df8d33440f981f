"""Imports from KoboToolbox, ODK Central, XLSForms and spreadsheets.

- ``form``: the XLSForm, read with pyxform (questions, choices, labels per language,
  repeat groups, its ``version``).
- ``sources``: the submissions as Kobo and ODK Central export them (CSV with repeat files,
  XLSX with repeat sheets, JSON), or a plain CSV / XLSX with a header row.
- ``mapping``: the mapping file (TOML or YAML) for one form id and version: question to
  field, choice to taxonomy code, repeat groups to work spells and workers on one
  grievance, a consent question to consent per purpose.
- ``meetings``: a meeting register's row: the meeting held and who came, each attendee
  matched to a worker already known.
- ``plan``: the dry run (new, updated, unchanged, quarantined, duplicate-suspect rows with
  their reasons) and the commit, through the ordinary commands.

The raw file is never stored: it is read in memory and only what the mapping names goes
on, through the commands that seal names and phones under each worker's key. Device ids,
``_submitted_by`` and attachments are dropped as they are read; a GPS point becomes a
place code.
"""
