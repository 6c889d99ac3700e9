"""The documented limits on what comes from outside (docs/reference.md: "Limits"), and the patterns
ids follow, written once: the catalog's schema anchors them, the sync-file check and the layout of
the shared place match them as they are.

A catalog, an export or a sync file over one of these is refused, naming the resource and the
field; they are generous for real content and keep a hostile file from costing time or memory.
"""

MAX_ID = 100  # resource and path ids (slugs)
MAX_WORD = 60  # kinds and topics
MAX_TITLE = 300  # titles of resources, paths and stages
MAX_NAME = 300  # an author, part_of, minutes_note
MAX_PROSE = 2_000  # why, a path's description
MAX_URL = 2_000
MAX_LIST = 50  # authors, topics, replaces of one resource
MAX_NOTE = 10_000  # one note
MAX_NOTES = 1_000  # notes on one resource

MAX_CATALOG_BYTES = 16 * 1024 * 1024  # one catalog file
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # one export or sync file
MAX_DEPTH = 32  # nesting of TOML or JSON values

MAX_HISTORY = 500  # changes kept for `history` and `undo`; older ones are dropped

# What another device or a group member writes into the shared place (README: "Sync").
MAX_SYNC_FILE_BYTES = 4 * 1024 * 1024  # one device file; a learner's real file is a few KiB
MAX_DEVICE_NAME = 60  # a device's name ("laptop"), shown in sync status and cohort
MAX_DEVICE_FILES = 64  # device files read for one learner; the most recently changed are kept
MAX_FOLDER_ENTRIES = 2_000  # entries looked at in one learner's folder before the rest is passed over
MAX_CLOCK_COUNTER = 2**32  # a clock's counter: far more changes than one millisecond can hold
MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000  # how far past this device's clock a foreign time may be
EARLIEST_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: no record of mlops-path is older

# The patterns (regular expressions, unanchored).
SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"  # resource, path, kind and topic ids; a learner's folder
DEVICE_ID = r"[0-9a-f]{1,64}"  # a device's id (this tool makes 16 hex digits; any up to 64 are read)
SYNC_KEY = r"[0-9a-f]{128}"  # the key derived from a sync secret, as the progress file keeps it
MAX_LEARNER_SLUG = 60  # a learner's folder name in the shared place
