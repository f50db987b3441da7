"""Messages going out: templates, the notification outbox and approval, reminders and escalation."""
