"""SQLite storage through sqlite-utils: the event log, the ticket projection, accounts."""
