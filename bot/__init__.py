"""The edges: the Slack app, the terminal chat, the `scrbot` CLI, and the one place config is wired in."""
