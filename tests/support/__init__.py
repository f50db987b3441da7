"""Test support: real components on loopback (databases, fake Slack/EWS/Graph servers), factories."""
