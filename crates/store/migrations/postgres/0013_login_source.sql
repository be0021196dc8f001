-- Sign-in throttling counts a client by its source: an IPv4 address, or an IPv6 address's /64
-- (one subscriber may use any address of its block). Rows written before keep their address.
ALTER TABLE login_log ADD COLUMN source TEXT NOT NULL DEFAULT '';
UPDATE login_log SET source = ip;
CREATE INDEX login_log_source_at ON login_log(source, at);
