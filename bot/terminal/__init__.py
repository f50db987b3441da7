"""The terminal channel: the same conversation engine and flow as Slack, as plain text."""
