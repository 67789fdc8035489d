"""What a visitor may report, the statuses moderation gives it, and the limits of what is sent."""

from locator.core.catalogue import N_

# What can be wrong with a facility, with the words the forms and the console show.
REPORT_KINDS = {
    "closed": N_("Closed at the posted hours"),
    "locked": N_("Locked"),
    "dirty": N_("Dirty"),
    "missing_equipment": N_("Equipment missing"),
    "wrong_location": N_("Wrong position on the map"),
    "wrong_hours": N_("Wrong opening hours"),
    "gone": N_("Gone for good"),
    "all_good": N_("Still here and as described"),
    "other": N_("Something else"),
}
SUGGESTION = "suggestion"  # the kind of a suggested new place (no facility yet)
KIND_LABELS = REPORT_KINDS | {SUGGESTION: N_("Suggested place")}

STATUSES = {
    "new": N_("New"),
    "accepted": N_("Accepted"),  # the data changed as the visitor said: a version was made
    "resolved": N_("Resolved"),  # dealt with, without changing the data as the report asked
    "rejected": N_("Rejected"),
    "duplicate": N_("Duplicate"),
}

NOTE_MAX = 500  # characters of a visitor's note
# What a report may carry beyond its kind and note, and what a suggestion may carry.
REPORT_FIELDS = ("kind", "note", "lat", "lon", "amenities", "opening_hours")
SUGGESTION_FIELDS = ("category", "name", "lat", "lon", "floor", "opening_hours", "amenities",
                     "note")

# Shown on the public page before moderation (summary.py): kind → (at least this many distinct
# clients, within this many days). Only what a parent needs to know before walking there.
PUBLIC_KINDS = {"closed": (2, 7), "gone": (2, 7), "all_good": (1, 30)}
