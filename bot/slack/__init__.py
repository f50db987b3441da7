"""Slack: the slack-bolt app (HTTP and Socket Mode), its Block Kit views, and the business unit's workspace.

`bot.slack.app.build_slack_app` builds the app and asks each feature module in `FEATURES` to register its
handlers; a new feature adds one line there.
"""
