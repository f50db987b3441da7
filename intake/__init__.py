"""Referrals coming in: the conversation engine and referral flow; inbound email; mailbox polling."""
