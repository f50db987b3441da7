"""Mailbox backends: Exchange (EWS), Microsoft Graph, and a local Maildir."""
