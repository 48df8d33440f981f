-- Which kind of account ran each command, and which notification ids its events took: the
-- record pages' history (organize/history.py) joins events to commands through these. Only
-- the role is kept (leader, organiser, admin; NULL for the operator's CLI and the demo),
-- never the account: a seized server must not tell which leader recorded what.
ALTER TABLE organize_commands ADD COLUMN IF NOT EXISTS recorded_by_role text;
ALTER TABLE organize_commands ADD COLUMN IF NOT EXISTS first_notification_id bigint;
ALTER TABLE organize_commands ADD COLUMN IF NOT EXISTS last_notification_id bigint;
CREATE INDEX IF NOT EXISTS organize_commands_last_notification
    ON organize_commands (last_notification_id);
