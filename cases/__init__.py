"""The board's domain: referrals, cases, decisions, rules packs and the statutory timeline.

Pure: nothing here reads a clock, a file outside the package's own data, a socket or a database.
Callers pass `now` / `today` in.
"""
