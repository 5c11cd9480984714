"""Deadlines of appeals: the Russian working-day calendar and the beat sweep of reminders, overdue
marks and escalation (DESIGN §4.3)."""
