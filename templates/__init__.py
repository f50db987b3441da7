"""Jinja2 templates (emails, letters, Slack texts), shipped as package data."""
