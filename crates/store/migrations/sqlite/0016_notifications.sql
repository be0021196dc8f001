-- Notifications: who is told of a recorded event (in the application, and by SMS or e-mail for
-- those who ask for it). A notification row is written in the event's own transaction
-- (`store::notifications::fan_out`); the outbox of external messages is delivered by the
-- server's worker.

-- Where an account may be reached outside the application (both optional).
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;
CREATE INDEX users_institution ON users(institution_id);
CREATE INDEX users_organ ON users(organ_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    event_id    INTEGER NOT NULL REFERENCES events(id),
    kind        TEXT NOT NULL,
    grp         TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    UNIQUE (user_id, event_id)
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, read_at);
CREATE INDEX notifications_event ON notifications(event_id);

-- Opt-ins to a channel besides the application, per account and group of notifications.
CREATE TABLE notification_prefs (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    grp        TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, grp, channel)
) STRICT;

CREATE TABLE notification_outbox (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    address         TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'given_up')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX notification_outbox_due ON notification_outbox(status, next_at);
