from django.dispatch import Signal

# Sent after the transaction that changed appeals commits: `appeal_ids` and `kind`
# (an AppealEvent.Kind value). Ratings and the heat map listen; appeals imports neither.
appeals_changed = Signal()
