"""Inbound email: parse hostile bytes safely, read agencies' answers and emailed referrals, and act on
them exactly once (store first, then act, then move in the mailbox)."""
